// Test only: canonical JSON as the npm "canonicalize" package (an RFC 8785 implementation
// independent of ours) writes it. Reads JSON texts, one per line, on standard input; writes the
// canonical form of each, one per line, or "!" and the error when it refuses one.
'use strict';
const canonicalize = require('canonicalize');

const input = require('fs').readFileSync(0, 'utf8');
const out = [];
for (const line of input.split('\n')) {
    if (line === '')
        continue;
    try {
        out.push(canonicalize(JSON.parse(line)));
    } catch (error) {
        out.push('!' + error.message);
    }
}
process.stdout.write(out.join('\n') + '\n');
