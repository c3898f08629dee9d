// Receipt photos: shrunk on the phone before upload (at most 1600 px on the long side,
// JPEG), so a 12-megapixel camera shot is a few hundred KB on a field rep's data plan.
// PDFs and anything the browser cannot decode (HEIC on most Android phones) go as they are:
// the server checks what the bytes really are.

export const MAX_SIDE = 1600;
export const QUALITY = 0.85;

/** The size to draw an image of w x h at so its long side is at most `max` (never enlarged). */
export function fitWithin(w, h, max = MAX_SIDE) {
  if (!(w > 0 && h > 0)) return { width: 0, height: 0, scaled: false };
  const scale = Math.min(1, max / Math.max(w, h));
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)), scaled: scale < 1 };
}

/** A file name ending in .jpg for a re-encoded photo ("IMG_0001.HEIC" -> "IMG_0001.jpg"). */
export function jpegName(name) {
  const base = String(name || 'receipt').replace(/\.[^./\\]*$/, '') || 'receipt';
  return `${base}.jpg`;
}

/** Resolves {blob, filename}: the photo as a JPEG of at most 1600 px, or the file as it is. */
export async function prepareReceipt(file) {
  if (!file.type.startsWith('image/') || typeof createImageBitmap !== 'function') {
    return { blob: file, filename: file.name || 'receipt' };
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return { blob: file, filename: file.name || 'receipt' };
  }
  const { width, height } = fitWithin(bitmap.width, bitmap.height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff'; // a transparent PNG screenshot must not turn black
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY));
  if (!blob) return { blob: file, filename: file.name || 'receipt' };
  return { blob, filename: jpegName(file.name) };
}
