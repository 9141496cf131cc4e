import { defineKinds } from '../message';

/** Message kinds of paper: see ../message.ts. */
export const paperKinds = defineKinds([]);
