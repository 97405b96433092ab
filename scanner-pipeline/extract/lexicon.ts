/**
 * @module
 * Words of registry offices and places that OCR often reads without their Uzbek letters (ФХДЁ for
 * ФҲДЁ, шахри for шаҳри, Кашкадарё for Қашқадарё): the registry's own vocabulary and the country's
 * regions and main towns. A word whose folded spelling (see `fold`) equals an entry's is written as
 * the entry: only letters OCR merges are restored, no word is ever guessed.
 */
import { fold } from './text.ts';

const WORDS = [
  // Uzbek, Cyrillic script
  'ФҲДЁ', 'бўлими', 'бўлим', 'шаҳри', 'шаҳар', 'шаҳарчаси', 'вилояти', 'тумани', 'туман', 'қишлоғи', 'қишлоқ', 'маҳалла',
  'Ўзбекистон', 'Республикаси', 'Қорақалпоғистон', 'Тошкент', 'Самарқанд', 'Бухоро', 'Қашқадарё', 'Сурхондарё', 'Жиззах',
  'Сирдарё', 'Наманган', 'Андижон', 'Фарғона', 'Хоразм', 'Навоий', 'Қарши', 'Термиз', 'Урганч', 'Нукус', 'Гулистон',
  'Қўқон', 'Марғилон', 'Шаҳрисабз', 'Чирчиқ', 'Олмалиқ', 'Ангрен', 'Яккасарой', 'Чилонзор', 'Юнусобод', 'Мирзо', 'Улуғбек',
  'Шайхонтоҳур', 'Олмазор', 'Учтепа', 'Сергели', 'Бектемир', 'Яшнобод', 'Миробод',
  // Uzbek, Latin script
  'FHDYO', 'boʻlimi', 'boʻlim', 'shahri', 'shahar', 'viloyati', 'tumani', 'qishlogʻi', 'Oʻzbekiston', 'Respublikasi',
  'Qoraqalpogʻiston', 'Toshkent', 'Samarqand', 'Buxoro', 'Qashqadaryo', 'Surxondaryo', 'Jizzax', 'Sirdaryo', 'Namangan',
  'Andijon', 'Fargʻona', 'Xorazm', 'Navoiy', 'Qarshi', 'Termiz', 'Urganch', 'Nukus', 'Guliston', 'Qoʻqon', 'Margʻilon',
  // Russian
  'ЗАГС', 'ССР',
];

const BY_FOLD = new Map(WORDS.map((w) => [fold(w), w]));

/** `text` with every known word in its registry spelling, keeping the word's capitalisation. */
export function restoreKnownWords(text: string): string {
  return text.replace(/[\p{L}ʻʼ'’`]+/gu, (word) => {
    const known = BY_FOLD.get(fold(word));
    if (!known || known === word) return word;
    if (word === word.toUpperCase() && word.length > 1) return known.toUpperCase();
    if (/^\p{Lu}/u.test(word) && /^\p{Ll}/u.test(known)) return known[0]!.toUpperCase() + known.slice(1);
    return known;
  });
}
