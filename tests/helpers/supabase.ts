/** supabase-js clients for tests, as an app would make them (Node 20 needs the `ws` package for realtime). */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import ws from 'ws';

export function supabaseClient(url: string, key: string): SupabaseClient {
  return createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: ws as unknown as typeof WebSocket },
  });
}
