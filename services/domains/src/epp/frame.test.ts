import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameError, FrameReader } from './frame.js';

describe('RFC 5734 framing', () => {
  it('prefixes the UTF-8 body with its total length, header included', () => {
    const f = encodeFrame('<epp>é</epp>');
    expect(f.readUInt32BE(0)).toBe(4 + Buffer.byteLength('<epp>é</epp>'));
    expect(f.subarray(4).toString()).toBe('<epp>é</epp>');
  });

  it('reassembles messages split anywhere and several in one chunk', () => {
    const a = encodeFrame('<a>première</a>');
    const b = encodeFrame('<b/>');
    const stream = Buffer.concat([a, b, a]);
    for (let cut = 1; cut < stream.length; cut++) {
      const r = new FrameReader();
      const got = [...r.push(stream.subarray(0, cut)), ...r.push(stream.subarray(cut))];
      expect(got).toEqual(['<a>première</a>', '<b/>', '<a>première</a>']);
    }
    const r = new FrameReader();
    const bytes = [...stream].map((x) => Buffer.from([x]));
    expect(bytes.flatMap((x) => r.push(x))).toHaveLength(3);
  });

  it('refuses a length that cannot be right', () => {
    const tiny = Buffer.alloc(4);
    tiny.writeUInt32BE(3, 0);
    expect(() => new FrameReader().push(tiny)).toThrow(FrameError);
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(100_000, 0);
    expect(() => new FrameReader(1000).push(huge)).toThrow(/exceeds/);
  });
});
