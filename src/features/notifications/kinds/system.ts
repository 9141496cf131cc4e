import { defineKinds } from '../message';

/** Message kinds of system: see ../message.ts. */
export const systemKinds = defineKinds([]);
