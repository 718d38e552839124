// openapi-check.mjs: validates an OpenAPI 3 document (file path argument) with @apidevtools/swagger-parser.
import SwaggerParser from '@apidevtools/swagger-parser';

try {
  const api = await SwaggerParser.validate(process.argv[2]);
  console.log(`ok ${api.info.title} ${api.openapi}`);
} catch (e) {
  console.error(`invalid: ${e.message}`);
  process.exit(1);
}
