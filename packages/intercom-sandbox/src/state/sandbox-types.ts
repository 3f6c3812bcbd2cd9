/** Author of a conversation part or source (the spec's `conversation_part_author`). */
export interface SandboxAuthor {
  type: 'admin' | 'user' | 'lead' | 'bot';
  id: string;
  name: string | null;
  email: string | null;
}

/** A conversation part as the API returns it (the spec's `conversation_part`). */
export interface SandboxPart {
  type: 'conversation_part';
  /** Numeric string, unique across the whole sandbox. */
  id: string;
  /** `close`, `open`, `snoozed`, `unsnoozed`: an admin changed the conversation's state (body null). */
  part_type: 'note' | 'comment' | 'close' | 'open' | 'snoozed' | 'unsnoozed';
  body: string | null;
  created_at: number;
  updated_at: number;
  notified_at: number;
  assigned_to: null;
  author: SandboxAuthor;
  attachments: [];
  external_id: string | null;
  redacted: boolean;
  metadata: Record<string, never>;
  email_message_metadata: null;
  app_package_code: string | null;
}

/** A list wrapper as used by `contact.tags`, `contact.notes`, … */
export interface SandboxAddressableList {
  type: 'list';
  data: [];
  url: string;
  total_count: 0;
  has_more: false;
}

/** A contact as `GET /contacts/{id}` returns it (the spec's `contact`). */
export interface SandboxContact {
  type: 'contact';
  id: string;
  workspace_id: string;
  external_id: string | null;
  role: 'user' | 'lead';
  email: string | null;
  phone: string | null;
  name: string | null;
  avatar: null;
  owner_id: string | null;
  social_profiles: { type: 'list'; data: [] };
  has_hard_bounced: boolean;
  marked_email_as_spam: boolean;
  unsubscribed_from_emails: boolean;
  created_at: number;
  updated_at: number;
  signed_up_at: number | null;
  last_seen_at: number | null;
  last_replied_at: number | null;
  last_contacted_at: number | null;
  last_email_opened_at: number | null;
  last_email_clicked_at: number | null;
  language_override: string | null;
  browser: string | null;
  browser_version: string | null;
  browser_language: string | null;
  os: string | null;
  location: {
    type: 'location';
    country: string | null;
    region: string | null;
    city: string | null;
    country_code: string | null;
    continent_code: string | null;
  };
  custom_attributes: Record<string, unknown>;
  tags: SandboxAddressableList;
  notes: SandboxAddressableList;
  companies: SandboxAddressableList;
  opted_out_subscription_types: SandboxAddressableList;
  opted_in_subscription_types: SandboxAddressableList;
  utm_campaign: string | null;
  utm_content: string | null;
  utm_medium: string | null;
  utm_source: string | null;
  utm_term: string | null;
  referrer: string | null;
}

/** The message that opened a conversation (the spec's `conversation_source`). */
export interface SandboxSource {
  type: 'conversation';
  id: string;
  delivered_as: 'customer_initiated' | 'admin_initiated';
  subject: string;
  body: string;
  author: SandboxAuthor;
  attachments: [];
  url: string | null;
  redacted: boolean;
}

/** A conversation as `GET /conversations/{id}` returns it (the spec's `conversation`), parts included. */
export interface SandboxConversation {
  type: 'conversation';
  /** Numeric string. */
  id: string;
  created_at: number;
  updated_at: number;
  waiting_since: number | null;
  snoozed_until: number | null;
  source: SandboxSource;
  contacts: { type: 'contact.list'; contacts: { type: 'contact'; id: string; external_id: string | null }[] };
  first_contact_reply: { created_at: number; type: 'conversation'; url: string | null } | null;
  admin_assignee_id: number | null;
  team_assignee_id: number | null;
  open: boolean;
  state: 'open' | 'closed' | 'snoozed';
  read: boolean;
  tags: { type: 'tag.list'; tags: [] };
  priority: 'none';
  sla_applied: null;
  statistics: null;
  conversation_rating: null;
  teammates: null;
  title: string | null;
  custom_attributes: Record<string, unknown>;
  topics: Record<string, never>;
  ticket: null;
  linked_objects: { type: 'list'; data: []; total_count: 0; has_more: false };
  ai_agent: null;
  ai_agent_participated: boolean;
  conversation_parts: {
    type: 'conversation_part.list';
    conversation_parts: SandboxPart[];
    total_count: number;
  };
}

/** The admin the sandbox workspace has: the author of notes (the spec's `admin_with_app`). */
export interface SandboxAdmin {
  type: 'admin';
  id: string;
  name: string;
  email: string;
}
