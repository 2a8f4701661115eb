/**
 * Evaluates an automation's conditions against the event's subject, with Chatwoot's semantics:
 * each condition compares one attribute with its values, and `query_operator` joins a condition to the
 * next. Like Chatwoot, which joins the conditions into one SQL WHERE clause, AND binds tighter than OR:
 * `a and b or c` is `(a and b) or c`. No conditions means the automation always applies.
 */
import { z } from 'zod';

export const conditionSchema = z.object({
  attribute_key: z.string(),
  filter_operator: z.enum(['equal_to', 'not_equal_to', 'contains', 'does_not_contain', 'starts_with', 'is_present', 'is_not_present']),
  values: z.array(z.union([z.string(), z.number(), z.boolean()])).nullish(),
  query_operator: z.enum(['and', 'or']).nullish(),
  custom_attribute_type: z.string().nullish(),
});
export type Condition = z.infer<typeof conditionSchema>;

/** What conditions can look at: the conversation (with its contact and channel type) and, for message_created, the message. */
export interface Subject {
  conversation: {
    status: string;
    priority: string | null;
    channel_id: string;
    assignee_id: string | null;
    team_id: string | null;
    tags: string[];
    handoff_state: string;
    custom_attributes: Record<string, unknown>;
  };
  channel_type: string;
  contact: {
    name: string | null;
    phone: string | null;
    email: string | null;
    tags: string[];
    custom_attributes: Record<string, unknown>;
  };
  message: { type: string; direction: string; sender_type: string; text: string | null } | null;
}

type Value = string | string[] | null;

/** The attribute's value: a string, a list of strings (tags), or null when absent. */
export function attributeValue(subject: Subject, c: Pick<Condition, 'attribute_key' | 'custom_attribute_type'>): Value {
  const conv = subject.conversation;
  const key = c.attribute_key;
  if (key.startsWith('custom_attributes.')) {
    const name = key.slice('custom_attributes.'.length);
    const source = c.custom_attribute_type === 'contact_attribute' ? subject.contact.custom_attributes : conv.custom_attributes;
    return scalar(source[name]);
  }
  switch (key) {
    case 'status': return conv.status;
    case 'priority': return conv.priority;
    case 'channel_id': return conv.channel_id;
    case 'channel_type': return subject.channel_type;
    case 'assignee_id': return conv.assignee_id;
    case 'team_id': return conv.team_id;
    case 'tags': return conv.tags;
    case 'handoff_state': return conv.handoff_state;
    case 'contact_name': return subject.contact.name;
    case 'contact_phone': return subject.contact.phone;
    case 'contact_email': return subject.contact.email;
    case 'contact_tags': return subject.contact.tags;
    case 'message_type': return subject.message?.type ?? null;
    case 'direction': return subject.message?.direction ?? null;
    case 'sender_type': return subject.message?.sender_type ?? null;
    case 'content': return subject.message?.text ?? null;
    default: return null;
  }
}

function scalar(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map((x) => String(x));
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const norm = (s: string) => s.trim().toLowerCase();

/** One condition. Text compares case-insensitively; a list (tags) matches when any of its items does. */
export function conditionHolds(subject: Subject, c: Condition): boolean {
  const value = attributeValue(subject, c);
  const items = value === null ? [] : Array.isArray(value) ? value : [value];
  const present = items.some((i) => i.trim() !== '');
  const wanted = (c.values ?? []).map((v) => norm(String(v)));
  const any = (test: (item: string, want: string) => boolean) => items.some((i) => wanted.some((w) => test(norm(i), w)));
  switch (c.filter_operator) {
    case 'is_present': return present;
    case 'is_not_present': return !present;
    case 'equal_to': return any((i, w) => i === w);
    case 'not_equal_to': return !any((i, w) => i === w);
    case 'contains': return any((i, w) => i.includes(w));
    case 'does_not_contain': return !any((i, w) => i.includes(w));
    case 'starts_with': return any((i, w) => i.startsWith(w));
  }
}

/** All conditions, chained by their query_operator with AND before OR. */
export function conditionsHold(subject: Subject, conditions: Condition[]): boolean {
  if (conditions.length === 0) return true;
  let group = true;
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i]!;
    group = group && conditionHolds(subject, c);
    const joiner = i < conditions.length - 1 ? (c.query_operator ?? 'and') : 'or';
    if (joiner === 'or') {
      if (group) return true;
      group = true;
    }
  }
  return false;
}
