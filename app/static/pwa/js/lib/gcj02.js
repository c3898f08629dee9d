// WGS-84 (GPS, our stored coordinates) to GCJ-02, the offset datum that map tiles from
// Chinese providers (Amap, Tencent) are drawn in: without it a pin lands 300-600 m off.
// The published conversion (the inverse is not needed: the rep's own position is
// converted the same way for display). Outside mainland China's rough box nothing moves.

const A = 6378245.0; // the Krasovsky 1940 ellipsoid's semi-major axis, as the datum uses
const EE = 0.00669342162296594323; // its eccentricity squared

export function outOfChina(lat, lng) {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function waves(x, y) {
  return ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3 +
    ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
}

function latShift(x, y) {
  return -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) + waves(x, y) +
    ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
}

function lngShift(x, y) {
  return 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) + waves(x, x) +
    ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
}

/** [lat, lng] in GCJ-02 for a WGS-84 point. */
export function wgs84ToGcj02(lat, lng) {
  if (outOfChina(lat, lng)) return [lat, lng];
  const x = lng - 105;
  const y = lat - 35;
  const radLat = (lat / 180) * Math.PI;
  const magic = 1 - EE * Math.sin(radLat) ** 2;
  const sqrtMagic = Math.sqrt(magic);
  const dLat = (latShift(x, y) * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  const dLng = (lngShift(x, y) * 180) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [lat + dLat, lng + dLng];
}

/** The display coordinates for a datum setting ('wgs84' or 'gcj02'). */
export function displayPoint(lat, lng, datum) {
  return datum === 'gcj02' ? wgs84ToGcj02(lat, lng) : [lat, lng];
}
