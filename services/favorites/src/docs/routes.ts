import { join } from 'node:path';
import { Router, type RequestHandler } from 'express';
import { docsPageSecurityHeaders } from '../http/security-headers';
import { openapiDocument } from './openapi-document';

let swaggerUiFolder: string | undefined;

/** swagger-ui-dist's folder, found on the page's first asset request: most of the API's users never load the page. */
function swaggerUi(): string {
  // The package's own path helper, loaded alone: the package's main module would also load both
  // browser bundles into the API's memory (about 13 MB and half a second), only to find the folder.
  if (swaggerUiFolder === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const absolutePath = require('swagger-ui-dist/absolute-path.js') as () => string;
    swaggerUiFolder = absolutePath();
  }
  return swaggerUiFolder;
}

/** The only files of swagger-ui-dist the page loads; nothing else of the package is reachable. */
const ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'];

// No inline script or style (the init script is a file of its own), so the page's CSP can forbid
// both. The paths are absolute: the page answers at /docs and at /docs/, where relative ones differ.
const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Favorites API reference</title>
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// BaseLayout, not the standalone one: no top bar to load some other document from elsewhere, and
// no badge that sends the document to an online validator. Users may be offline.
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  validatorUrl: null,
  tryItOutEnabled: true,
  deepLinking: true,
});
`;

/** The page's scripts and stylesheet: cached, and checked with the server (ETag) before each use. */
const revalidate: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-cache');
  next();
};

/**
 * The API describes itself: GET /openapi.json is services/favorites/openapi.yaml as JSON, and
 * GET /docs is Swagger UI on that document, every request of it ready to send from the browser.
 * Everything the page loads comes from the API itself.
 */
export function docsRouter(): Router {
  const router = Router();

  router.get('/openapi.json', (_req, res) => {
    res.json(openapiDocument());
  });

  router.get('/docs', docsPageSecurityHeaders, (_req, res) => {
    res.type('html').send(PAGE);
  });

  router.get('/docs/init.js', revalidate, (_req, res) => {
    res.type('js').send(INIT_SCRIPT);
  });

  for (const asset of ASSETS) {
    // Without a callback, sendFile hands a read error to the error handler: a JSON 500.
    router.get(`/docs/assets/${asset}`, revalidate, (_req, res) => {
      res.sendFile(join(swaggerUi(), asset));
    });
  }

  return router;
}
