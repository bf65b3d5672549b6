'use strict';
// The image's HEALTHCHECK: exits 0 when the API answers GET /healthz. Node only, no curl needed.
const port = process.env.PORT || 3000;
fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
