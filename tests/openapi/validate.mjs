// docs/openapi.yaml through a standard OpenAPI 3 validator,
// @apidevtools/swagger-parser (pinned in package-lock.json, installed by
// `npm ci` from tools/setup.sh): the document against the OpenAPI 3.0
// schema (so a stray property, like a flow mapping split at a comma, fails)
// plus its own checks (every $ref resolves, path parameters declared,
// operationIds unique). Usage: node validate.mjs FILE.yaml. Exit 0 valid,
// 1 not (the validator's message), 2 the validator is not installed.
let SwaggerParser;
try {
  SwaggerParser = (await import('@apidevtools/swagger-parser')).default;
} catch (e) {
  console.error('openapi: @apidevtools/swagger-parser is not installed; run tools/setup.sh ' +
                '(npm ci in tests/openapi): ' + e.message);
  process.exit(2);
}
const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs FILE.yaml');
  process.exit(2);
}
try {
  const api = await SwaggerParser.validate(file);
  const operations = Object.values(api.paths || {})
    .map((item) => Object.keys(item).filter((k) => k !== 'parameters' && !k.startsWith('x-')).length)
    .reduce((a, b) => a + b, 0);
  console.log(`${file}: valid OpenAPI ${api.openapi} (${Object.keys(api.paths || {}).length} paths, ${operations} operations)`);
} catch (e) {
  console.error(`${file}: not valid OpenAPI 3: ${e.message}`);
  process.exit(1);
}
