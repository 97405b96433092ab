/**
 * @module
 * The extracted fields of a document: a tree with the ground truth's field names
 * (`child.familyName`, `dateOfBirth`, `surnamesAfterMarriage.wife`, ...) whose leaves carry a value
 * and the extractor's confidence in it. Pure functions over that tree: flattening to dotted paths,
 * replacing one leaf, and deciding which leaves need an archivist's eye.
 */

export interface FieldValue {
  /** The value as the registry records it (ISO `YYYY-MM-DD` for dates); null when not found. */
  value: string | null;
  /** 0..1; a person's confirmation or fix is 1. */
  confidence: number;
  /** Set once an archivist confirmed or fixed the value. */
  reviewed?: true;
}

export interface FieldTree {
  [name: string]: FieldValue | FieldTree;
}

export const isFieldValue = (node: unknown): node is FieldValue =>
  typeof node === 'object' && node !== null && 'value' in node && 'confidence' in node;

/** Every leaf of the tree under its dotted path, in the tree's order. */
export function flattenFields(tree: FieldTree, prefix = ''): Map<string, FieldValue> {
  const out = new Map<string, FieldValue>();
  for (const [name, node] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (isFieldValue(node)) out.set(path, node);
    else for (const [p, v] of flattenFields(node, path)) out.set(p, v);
  }
  return out;
}

export function fieldAt(tree: FieldTree, path: string): FieldValue | undefined {
  return flattenFields(tree).get(path);
}

/** A copy of the tree with the leaf at `path` replaced; the path must exist. */
export function withField(tree: FieldTree, path: string, value: FieldValue): FieldTree {
  const [head, ...rest] = path.split('.');
  const node = tree[head!];
  if (node === undefined) throw new RangeError(`no field ${path}`);
  if (rest.length === 0) {
    if (!isFieldValue(node)) throw new RangeError(`${path} is a group of fields, not a field`);
    return { ...tree, [head!]: value };
  }
  if (isFieldValue(node)) throw new RangeError(`no field ${path}`);
  return { ...tree, [head!]: withField(node, rest.join('.'), value) };
}

/**
 * The fields an archivist must look at: not reviewed yet, and either missing or read with less
 * confidence than `threshold`.
 */
export function fieldsBelow(tree: FieldTree, threshold: number): string[] {
  return [...flattenFields(tree)]
    .filter(([, f]) => !f.reviewed && (f.value === null || f.value === '' || f.confidence < threshold))
    .map(([path]) => path);
}

/** The tree as plain values, the shape of the corpus ground truth (`{child: {familyName: '...'}}`). */
export function fieldValues(tree: FieldTree): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(tree).map(([name, node]) => [name, isFieldValue(node) ? node.value : fieldValues(node)]),
  );
}

/**
 * The tree with no confidence above `max`: fields read again from a document's plain OCR text
 * (naming its kind) have no per-word confidence, and must not look surer than the reading itself.
 */
export function confidenceAtMost(tree: FieldTree, max: number): FieldTree {
  return Object.fromEntries(
    Object.entries(tree).map(([name, node]) => [name, isFieldValue(node) ? { ...node, confidence: Math.min(node.confidence, max) } : confidenceAtMost(node, max)]),
  );
}
