// swagger-ui-dist ships no types; routes.ts loads only its path helper.
declare module 'swagger-ui-dist/absolute-path.js' {
  const absolutePath: () => string;
  export = absolutePath;
}
