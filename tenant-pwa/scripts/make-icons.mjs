#!/usr/bin/env node
// Draws the GestiQCloud app icons (a white "G" on the brand blue) pixel by pixel and writes them as PNG
// with node:zlib only, so no image tool or copied asset is needed. Run with `npm run gen:icons`; the
// output in public/icons/ is committed and the build just copies it.
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BRAND = [0x0f, 0x4c, 0x81];
const WHITE = [0xff, 0xff, 0xff];
const SUPERSAMPLE = 4;

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encode an RGBA buffer (width*height*4) as a PNG file. */
export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function insideRoundedSquare(x, y, inset, radius) {
  const lo = inset;
  const hi = 1 - inset;
  if (x < lo || x > hi || y < lo || y > hi) return false;
  const cx = Math.min(Math.max(x, lo + radius), hi - radius);
  const cy = Math.min(Math.max(y, lo + radius), hi - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

// The letter is a ring open at the upper right plus a crossbar, in unit coordinates scaled by `scale`.
function insideG(x, y, scale) {
  const dx = (x - 0.5) / scale;
  const dy = (0.5 - y) / scale; // y up
  const r = Math.hypot(dx, dy);
  const outer = 0.34;
  const inner = 0.21;
  const angle = (Math.atan2(dy, dx) * 180) / Math.PI;
  const inRing = r <= outer && r >= inner && !(angle > 0 && angle < 48);
  const inBar = dx >= 0.02 && dx <= outer && dy <= 0.065 && dy >= -0.065 && r <= outer;
  const inStem = dx >= outer - (outer - inner) && dx <= outer && dy <= 0.065 && dy >= -0.2 && r <= outer;
  return inRing || inBar || inStem;
}

function render(size, maskable) {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy += 1) {
        for (let sx = 0; sx < SUPERSAMPLE; sx += 1) {
          const x = (px + (sx + 0.5) / SUPERSAMPLE) / size;
          const y = (py + (sy + 0.5) / SUPERSAMPLE) / size;
          const inBg = maskable || insideRoundedSquare(x, y, 0.04, 0.2);
          if (!inBg) continue;
          bg += 1;
          // Maskable icons keep the letter inside the 80 % safe zone.
          if (insideG(x, y, maskable ? 0.8 : 1)) fg += 1;
        }
      }
      const samples = SUPERSAMPLE * SUPERSAMPLE;
      const alpha = bg / samples;
      const mix = bg ? fg / bg : 0;
      const offset = (py * size + px) * 4;
      for (let c = 0; c < 3; c += 1) rgba[offset + c] = Math.round(BRAND[c] * (1 - mix) + WHITE[c] * mix);
      rgba[offset + 3] = Math.round(alpha * 255);
    }
  }
  return encodePng(size, size, rgba);
}

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'icons');
mkdirSync(outDir, { recursive: true });
const targets = [
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['icon-maskable-512.png', 512, true],
  ['apple-touch-icon-180.png', 180, true],
];
for (const [name, size, maskable] of targets) {
  const png = render(size, maskable);
  writeFileSync(join(outDir, name), png);
  console.log(`${name}: ${size}x${size}, ${png.length} bytes`);
}
