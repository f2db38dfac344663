/**
 * Imported first by main.tsx, before any protocol schema is built: zod's
 * compiled fast path probes `new Function`, which the page's CSP
 * (`script-src 'self'`) refuses and reports as a violation. The schemas the
 * client runs (error data, remembered preferences) are small; the plain
 * path is fast enough.
 */
import { z } from 'zod';

z.config({ jitless: true });
