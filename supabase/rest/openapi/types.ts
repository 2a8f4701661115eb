// In charge of the shape of the OpenAPI (Swagger 2.0) document that `GET /rest/v1/` answers, limited to what PostgREST 12 writes.

/** `{"$ref": "#/definitions/todos"}` or `{"$ref": "#/parameters/select"}`. */
export interface Ref {
  readonly $ref: string;
}

export type SwaggerType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';

/** A JSON value, as a column default decodes to. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A JSON Schema (Swagger 2.0 subset): a table's row, one of its columns, a function's arguments. */
export interface Schema {
  readonly default?: JsonValue;
  readonly description?: string;
  readonly required?: readonly string[];
  readonly enum?: readonly string[];
  readonly format?: string;
  readonly maxLength?: number;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema | Ref;
  /** Absent for json/jsonb: any JSON value. */
  readonly type?: SwaggerType;
}

/** Items of an array query parameter (a variadic function argument). */
export interface ParameterItems {
  readonly format?: string;
  readonly type?: SwaggerType;
}

export interface QueryOrHeaderParameter {
  readonly name: string;
  readonly description?: string;
  readonly required: boolean;
  readonly default?: JsonValue;
  readonly enum?: readonly string[];
  readonly format?: string;
  readonly items?: ParameterItems;
  readonly collectionFormat?: 'multi';
  readonly in: 'query' | 'header';
  readonly type: SwaggerType;
}

export interface BodyParameter {
  readonly name: string;
  readonly description?: string;
  readonly required: boolean;
  readonly in: 'body';
  readonly schema: Schema | Ref;
}

export type Parameter = QueryOrHeaderParameter | BodyParameter;

export interface Response {
  readonly description: string;
  readonly schema?: Schema;
}

export interface Operation {
  readonly description?: string;
  readonly parameters?: readonly (Parameter | Ref)[];
  readonly produces?: readonly string[];
  readonly responses: Readonly<Record<string, Response>>;
  readonly summary?: string;
  readonly tags: readonly string[];
}

export interface PathItem {
  readonly get?: Operation;
  readonly post?: Operation;
  readonly patch?: Operation;
  readonly delete?: Operation;
}

export interface SecurityScheme {
  readonly type: 'apiKey';
  readonly in: 'header';
  readonly name: string;
  readonly description: string;
}

export interface SwaggerDocument {
  readonly swagger: '2.0';
  readonly info: { readonly description: string; readonly title: string; readonly version: string };
  readonly host: string;
  readonly basePath: string;
  readonly schemes: readonly ('http' | 'https')[];
  readonly consumes: readonly string[];
  readonly produces: readonly string[];
  readonly paths: Readonly<Record<string, PathItem>>;
  readonly definitions: Readonly<Record<string, Schema>>;
  readonly parameters: Readonly<Record<string, Parameter>>;
  readonly externalDocs: { readonly description: string; readonly url: string };
  readonly securityDefinitions?: Readonly<Record<string, SecurityScheme>>;
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
}
