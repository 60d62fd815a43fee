import { type Kysely, type Selectable } from 'kysely';
import type pg from 'pg';
import {
  type Contact,
  type Subscriber,
  type SubscriberData,
  type SubscriberDirectory,
  type SubscriberProfile,
} from '../../app/ports.js';
import { signalingDatabase, type SignalingDb } from './signaling-schema.js';

type ContactRow = Selectable<SignalingDb['signaling_contact']>;

function contactOf(row: ContactRow): Contact {
  return {
    contactId: row.contact_id,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    companyName: row.company_name,
    aliasName: row.alias_name,
    mainNumber: row.main_number,
    extNumber: row.ext_number,
    additionalNumbers: row.additional_numbers,
  };
}

/**
 * The built-in subscriber data: lines and caller number for the handshake and outgoing calls, the profile
 * `GET /user` shows, and each user's contacts. The subscriber-data port of protocol.md §3 (adapter API,
 * PortaBilling) will sit beside it.
 */
export class PostgresSubscriberDirectory implements SubscriberDirectory, SubscriberData {
  constructor(private readonly db: Kysely<SignalingDb>) {}

  async findSubscriber(tenant: string, userId: string): Promise<Subscriber | undefined> {
    const row = await this.db
      .selectFrom('signaling_subscriber')
      .select(['tenant', 'user_id', 'lines', 'caller_number'])
      .where('tenant', '=', tenant)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return { tenant: row.tenant, userId: row.user_id, lines: row.lines, callerNumber: row.caller_number };
  }

  async findProfile(tenant: string, userId: string): Promise<SubscriberProfile | undefined> {
    const row = await this.db
      .selectFrom('signaling_subscriber')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      userId: row.user_id,
      status: row.status,
      mainNumber: row.caller_number,
      extNumber: row.ext_number,
      additionalNumbers: row.additional_numbers,
      email: row.email,
      firstName: row.first_name,
      lastName: row.last_name,
      aliasName: row.alias_name,
      companyName: row.company_name,
      timeZone: row.time_zone,
    };
  }

  async listContacts(tenant: string, userId: string): Promise<readonly Contact[]> {
    const rows = await this.db
      .selectFrom('signaling_contact')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('user_id', '=', userId)
      .orderBy('contact_id')
      .execute();
    return rows.map(contactOf);
  }

  async findContact(tenant: string, userId: string, contactId: string): Promise<Contact | undefined> {
    const row = await this.db
      .selectFrom('signaling_contact')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('user_id', '=', userId)
      .where('contact_id', '=', contactId)
      .executeTakeFirst();
    return row === undefined ? undefined : contactOf(row);
  }
}

/** The profile fields a subscriber may have besides lines and caller number (all optional). */
export interface SubscriberProfileInput {
  readonly status?: 'active' | 'blocked';
  readonly extNumber?: string;
  readonly additionalNumbers?: readonly string[];
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly aliasName?: string;
  readonly companyName?: string;
  readonly timeZone?: string;
}

/** Creates or updates a subscriber (provisioning, tests). */
export async function provisionSubscriber(
  pool: pg.Pool,
  subscriber: Subscriber & { readonly profile?: SubscriberProfileInput },
): Promise<void> {
  const profile = subscriber.profile ?? {};
  const fields = {
    lines: subscriber.lines,
    caller_number: subscriber.callerNumber,
    status: profile.status ?? ('active' as const),
    ext_number: profile.extNumber ?? null,
    additional_numbers: [...(profile.additionalNumbers ?? [])],
    email: profile.email ?? null,
    first_name: profile.firstName ?? null,
    last_name: profile.lastName ?? null,
    alias_name: profile.aliasName ?? null,
    company_name: profile.companyName ?? null,
    time_zone: profile.timeZone ?? null,
  };
  await signalingDatabase(pool)
    .insertInto('signaling_subscriber')
    .values({ tenant: subscriber.tenant, user_id: subscriber.userId, ...fields })
    .onConflict((conflict) =>
      conflict.columns(['tenant', 'user_id']).doUpdateSet({ ...fields, updated_at: new Date() }),
    )
    .execute();
}

/** Adds or replaces an entry of a user's contact list (provisioning, tests). */
export async function provisionContact(
  pool: pg.Pool,
  owner: { readonly tenant: string; readonly userId: string },
  contact: Partial<Contact> & { readonly contactId: string },
): Promise<void> {
  const fields = {
    first_name: contact.firstName ?? null,
    last_name: contact.lastName ?? null,
    email: contact.email ?? null,
    company_name: contact.companyName ?? null,
    alias_name: contact.aliasName ?? null,
    main_number: contact.mainNumber ?? null,
    ext_number: contact.extNumber ?? null,
    additional_numbers: [...(contact.additionalNumbers ?? [])],
  };
  await signalingDatabase(pool)
    .insertInto('signaling_contact')
    .values({ tenant: owner.tenant, user_id: owner.userId, contact_id: contact.contactId, ...fields })
    .onConflict((conflict) => conflict.columns(['tenant', 'user_id', 'contact_id']).doUpdateSet(fields))
    .execute();
}
