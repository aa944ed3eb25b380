import {
  Binary,
  Bool,
  type DataType,
  Date_,
  Decimal,
  Dictionary,
  Duration,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float,
  Int,
  LargeBinary,
  LargeUtf8,
  List,
  Map_,
  Null,
  Schema,
  Struct,
  Time,
  Timestamp,
  Type,
  Utf8,
} from 'apache-arrow';
import { corruptData, invalidInput } from '../contract/errors.js';

/** A JSON description of one Arrow type; `type` names the Arrow type, the other keys are its parameters. */
export type JsonType = { type: string } & Record<string, unknown>;
/** A JSON description of one Arrow field. */
export interface JsonField {
  name: string;
  nullable: boolean;
  type: JsonType;
  metadata?: Record<string, string>;
}

const metadataToJson = (metadata: Map<string, string>): Record<string, string> | undefined =>
  metadata.size === 0 ? undefined : Object.fromEntries(metadata);

/** Arrow field -> JSON. INVALID_INPUT for a type the JSON serialization cannot carry exactly. */
export function fieldToJson(field: Field): JsonField {
  const out: JsonField = {
    name: field.name,
    nullable: field.nullable,
    type: typeToJson(field.type, field.name),
  };
  const metadata = metadataToJson(field.metadata);
  if (metadata) out.metadata = metadata;
  return out;
}

function typeToJson(type: DataType, column: string): JsonType {
  // Units and precisions are Arrow's own enum numbers, which are stable in the Arrow format spec.
  switch (type.typeId) {
    case Type.Null:
      return { type: 'null' };
    case Type.Bool:
      return { type: 'bool' };
    case Type.Int: {
      const t = type as Int;
      return { type: 'int', bitWidth: t.bitWidth, signed: t.isSigned };
    }
    case Type.Float:
      return { type: 'float', precision: (type as Float).precision };
    case Type.Utf8:
      return { type: 'utf8' };
    case Type.LargeUtf8:
      return { type: 'largeUtf8' };
    case Type.Binary:
      return { type: 'binary' };
    case Type.LargeBinary:
      return { type: 'largeBinary' };
    case Type.FixedSizeBinary:
      return { type: 'fixedSizeBinary', byteWidth: (type as FixedSizeBinary).byteWidth };
    case Type.Decimal: {
      const t = type as Decimal;
      return { type: 'decimal', precision: t.precision, scale: t.scale, bitWidth: t.bitWidth };
    }
    case Type.Date:
      return { type: 'date', unit: (type as Date_).unit };
    case Type.Time: {
      const t = type as Time;
      return { type: 'time', unit: t.unit, bitWidth: t.bitWidth };
    }
    case Type.Timestamp: {
      const t = type as Timestamp;
      return { type: 'timestamp', unit: t.unit, timezone: t.timezone ?? null };
    }
    case Type.Duration:
      return { type: 'duration', unit: (type as Duration).unit };
    case Type.List:
      return { type: 'list', child: fieldToJson((type as List).children[0]!) };
    case Type.FixedSizeList: {
      const t = type as FixedSizeList;
      return { type: 'fixedSizeList', listSize: t.listSize, child: fieldToJson(t.children[0]!) };
    }
    case Type.Struct:
      return { type: 'struct', children: (type as Struct).children.map(fieldToJson) };
    case Type.Map: {
      const t = type as Map_;
      return { type: 'map', keysSorted: t.keysSorted, child: fieldToJson(t.children[0]!) };
    }
    case Type.Dictionary: {
      const t = type as Dictionary;
      return {
        type: 'dictionary',
        id: t.id,
        ordered: t.isOrdered,
        indices: typeToJson(t.indices, column),
        value: typeToJson(t.dictionary, column),
      };
    }
    default:
      throw invalidInput(
        `column "${column}" has type ${String(type)}, which SERIALIZATION_METHOD=json cannot carry; use arrow`,
      );
  }
}

/** Arrow schema metadata + fields -> JSON. */
export function schemaToJson(schema: Schema): { fields: JsonField[]; metadata?: Record<string, string> } {
  const out: { fields: JsonField[]; metadata?: Record<string, string> } = {
    fields: schema.fields.map(fieldToJson),
  };
  const metadata = metadataToJson(schema.metadata);
  if (metadata) out.metadata = metadata;
  return out;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Optional string-to-string metadata from JSON. */
function metadataFromJson(value: unknown): Map<string, string> | null {
  if (value === undefined) return null;
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw corruptData('json document has malformed metadata');
  }
  return new Map(Object.entries(value as Record<string, string>));
}

function num(json: JsonType, key: string): number {
  const value = json[key];
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw corruptData(`json type ${json.type}: bad ${key}`);
  return value;
}

function child(json: JsonType, key: string): Field {
  return fieldFromJson(json[key]);
}

/** JSON -> Arrow field. CORRUPT_DATA when the description is malformed. */
export function fieldFromJson(json: unknown): Field {
  if (!isObject(json) || typeof json.name !== 'string' || typeof json.nullable !== 'boolean') {
    throw corruptData('json document has a malformed field');
  }
  return new Field(json.name, typeFromJson(json.type), json.nullable, metadataFromJson(json.metadata));
}

function typeFromJson(json: unknown): DataType {
  if (!isObject(json) || typeof json.type !== 'string')
    throw corruptData('json document has a malformed type');
  const t = json as JsonType;
  switch (t.type) {
    case 'null':
      return new Null();
    case 'bool':
      return new Bool();
    case 'int':
      return new Int(t.signed === true, num(t, 'bitWidth') as 8 | 16 | 32 | 64);
    case 'float':
      return new Float(num(t, 'precision'));
    case 'utf8':
      return new Utf8();
    case 'largeUtf8':
      return new LargeUtf8();
    case 'binary':
      return new Binary();
    case 'largeBinary':
      return new LargeBinary();
    case 'fixedSizeBinary':
      return new FixedSizeBinary(num(t, 'byteWidth'));
    case 'decimal':
      return new Decimal(num(t, 'scale'), num(t, 'precision'), num(t, 'bitWidth'));
    case 'date':
      return new Date_(num(t, 'unit'));
    case 'time':
      return new Time(num(t, 'unit'), num(t, 'bitWidth') as 32 | 64);
    case 'timestamp':
      return new Timestamp(num(t, 'unit'), typeof t.timezone === 'string' ? t.timezone : null);
    case 'duration':
      return new Duration(num(t, 'unit'));
    case 'list':
      return new List(child(t, 'child'));
    case 'fixedSizeList':
      return new FixedSizeList(num(t, 'listSize'), child(t, 'child'));
    case 'struct':
      if (!Array.isArray(t.children)) throw corruptData('json struct type has no children');
      return new Struct(t.children.map(fieldFromJson));
    case 'map':
      return new Map_(child(t, 'child'), t.keysSorted === true);
    case 'dictionary':
      return dictionaryFromJson(t);
    default:
      throw corruptData(`json document names an unknown type "${t.type}"`);
  }
}

/** JSON -> Arrow schema. */
export function schemaFromJson(json: unknown): Schema {
  if (!isObject(json) || !Array.isArray(json.fields)) throw corruptData('json document has no schema fields');
  return new Schema(json.fields.map(fieldFromJson), metadataFromJson(json.metadata));
}

function dictionaryFromJson(t: JsonType): Dictionary {
  const indices = typeFromJson(t.indices);
  if (indices.typeId !== Type.Int) throw corruptData('json dictionary type has non-integer indices');
  return new Dictionary(
    typeFromJson(t.value),
    indices as Dictionary['indices'],
    num(t, 'id'),
    t.ordered === true,
  );
}
