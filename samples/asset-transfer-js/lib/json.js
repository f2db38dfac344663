'use strict';

/**
 * JSON with the keys of every object in sorted order. Each endorsing peer runs
 * the chaincode on its own, and they only agree if they write the same bytes.
 */
function sortedJson(value) {
  return JSON.stringify(value, (_key, field) =>
    field !== null && typeof field === 'object' && !Array.isArray(field)
      ? Object.fromEntries(Object.entries(field).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : field,
  );
}

module.exports = { sortedJson };
