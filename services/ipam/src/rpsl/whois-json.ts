import { isRpslType, type RpslObject, type RpslType } from './model.js';

/**
 * The RIPE REST API's "whois-resources" JSON (whois-api rest/domain: WhoisResources,
 * WhoisObject, Attribute, ErrorMessage), in the shape the server produces and accepts:
 *
 *   { "link": {...}, "objects": { "object": [ { "type", "link", "source": {"id"},
 *       "primary-key": {"attribute": [...]}, "attributes": {"attribute": [{name, value, ...}]} } ] },
 *     "errormessages": { "errormessage": [ { "severity", "attribute"?, "text", "args"?: [{value}] } ] },
 *     "terms-and-conditions": {...} }
 *
 * Message texts are printf templates ("Mandatory attribute \"%s\" is missing") with the
 * arguments alongside; clients are expected to substitute them, as we do in formatMessage.
 */

export interface WhoisAttributeJson {
  name: string;
  value: string;
  comment?: string;
  'referenced-type'?: string;
  link?: { type: string; href: string };
}

export interface WhoisObjectJson {
  type?: string;
  link?: { type: string; href: string };
  source?: { id: string };
  'primary-key'?: { attribute: WhoisAttributeJson[] };
  attributes: { attribute: WhoisAttributeJson[] };
}

export interface WhoisErrorMessageJson {
  severity: string;
  text: string;
  args?: { value: string }[];
  attribute?: { name: string; value: string };
}

export interface WhoisResourcesJson {
  link?: { type: string; href: string };
  objects?: { object: WhoisObjectJson[] };
  errormessages?: { errormessage: WhoisErrorMessageJson[] };
  'terms-and-conditions'?: { type: string; href: string };
}

/** One server message with its arguments substituted. */
export interface RipeMessage {
  severity: 'Error' | 'Warning' | 'Info';
  text: string;
  /** The attribute the message is about, when the server says (or the text names it). */
  attribute?: string;
}

/** Java String.format subset used by whois messages: %s, %d, %%. */
export function formatMessage(text: string, args: { value: string }[] = []): string {
  let i = 0;
  return text.replace(/%([sd%])/g, (_m, c: string) => (c === '%' ? '%' : (args[i++]?.value ?? '')));
}

// Messages whose first argument is the attribute they complain about (ValidationMessages).
const ATTRIBUTE_ARG_TEMPLATES = ['Mandatory attribute "%s" is missing', 'Missing required "%s" attribute'];

export function messagesOf(res: WhoisResourcesJson | undefined): RipeMessage[] {
  return (res?.errormessages?.errormessage ?? []).map((m) => {
    const severity = m.severity === 'Error' || m.severity === 'Warning' ? m.severity : 'Info';
    const attribute =
      m.attribute?.name ?? (ATTRIBUTE_ARG_TEMPLATES.includes(m.text) ? m.args?.[0]?.value : undefined);
    const out: RipeMessage = { severity, text: formatMessage(m.text, m.args) };
    if (attribute !== undefined) out.attribute = attribute;
    return out;
  });
}

export function toWhoisResources(obj: RpslObject, source: string): WhoisResourcesJson {
  return {
    objects: {
      object: [
        {
          type: obj.type,
          source: { id: source },
          attributes: { attribute: obj.attributes.map(({ name, value }) => ({ name, value })) },
        },
      ],
    },
  };
}

/** The first object of `type` in a response, as an RpslObject (EOL comments dropped). */
export function objectFrom(res: WhoisResourcesJson | undefined, type?: RpslType): RpslObject | undefined {
  for (const o of res?.objects?.object ?? []) {
    const attrs = o.attributes?.attribute ?? [];
    const t = (o.type ?? attrs[0]?.name ?? '').toLowerCase();
    if (!isRpslType(t) || (type && t !== type)) continue;
    return {
      type: t,
      attributes: attrs.map((a) => ({
        name: a.name.toLowerCase(),
        value: a.value.replace(/\s+/g, ' ').trim(),
      })),
    };
  }
  return undefined;
}
