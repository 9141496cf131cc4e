import { defineKinds } from '../message';

/** Message kinds of supervision: see ../message.ts. */
export const supervisionKinds = defineKinds([]);
