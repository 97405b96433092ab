import { describe, expect, it } from 'vitest';
import { NotificationReader } from './notifications.ts';

/** A backend message: type byte, then its length (counting itself), then the body. */
const message = (type: string, body: Buffer) => Buffer.concat([Buffer.from(type), Buffer.from([0, 0, 0, 0].map((_, i) => ((body.length + 4) >> (8 * (3 - i))) & 0xff)), body]);
const notification = (channel: string, payload: string) => message('A', Buffer.concat([Buffer.alloc(4), Buffer.from(`${channel}\0${payload}\0`)]));
const ready = message('Z', Buffer.from('I'));

describe("reading notifications out of the embedded database's session", () => {
  it('hears a notification whose message is split across pieces of output', () => {
    const heard: string[] = [];
    const reader = new NotificationReader((channel, payload) => heard.push(`${channel}:${payload}`));
    const output = Buffer.concat([notification('crvs_token_revoked', '7f0c'), ready]);
    for (const cut of [3, 9, output.length]) reader.read(output.subarray(cut === 3 ? 0 : cut === 9 ? 3 : 9, cut));
    expect(heard).toEqual(['crvs_token_revoked:7f0c']);
  });

  it('drops a piece that cannot be a message instead of reading on from inside it', () => {
    const heard: string[] = [];
    const reader = new NotificationReader((channel, payload) => heard.push(`${channel}:${payload}`));
    reader.read(Buffer.from([0x41, 0xff, 0xff, 0xff, 0xf0, 1, 2, 3])); // a negative length
    reader.read(notification('desk_news', 'after'));
    expect(heard).toEqual(['desk_news:after']);
  });
});
