// Validates resources/openapi.yaml as OpenAPI 3 with a kept validator (@apidevtools/swagger-parser: js-yaml
// parses it, the OpenAPI 3.0 JSON Schema checks it, every $ref must resolve). Prints one line; exits 1 when
// the document is not valid.
const SwaggerParser = require("@apidevtools/swagger-parser");
SwaggerParser.validate(process.argv[2])
    .then((api) => console.log(`valid OpenAPI ${api.openapi}: ${Object.keys(api.paths).length} paths`))
    .catch((err) => {
        console.error(err.message);
        process.exit(1);
    });
