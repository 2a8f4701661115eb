#!/usr/bin/env node
// The `convo` CLI: registers tsx so the TypeScript sources run as they are, then hands over to supabase/cli.
import { register } from 'tsx/esm/api';

register();
await import('../supabase/cli/index.ts');
