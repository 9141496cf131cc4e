import type { paths } from '../../api/schema';

export type InventoryItem = paths['/api/v1/inventory/{id}']['patch']['responses'][200]['content']['application/json'];
export type InfoClass = InventoryItem['infoClass'];
/** R-CLASSES (§5.1): paper archive, electronic, control data. */
export const INFO_CLASSES: InfoClass[] = ['paper_archive', 'electronic', 'control_data'];
