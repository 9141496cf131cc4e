import { AppError } from '../../../errors';

/** The columns of an import file; the header row names them (case-insensitive; Chinese aliases). */
export const IMPORT_COLUMNS = ['name', 'unit', 'nationality', 'phones', 'idNumber', 'employer', 'email', 'emergencyContact', 'notes'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
export const REQUIRED_COLUMNS: ImportColumn[] = ['name', 'unit'];

const ALIASES: Record<ImportColumn, string[]> = {
  name: ['name', 'customername', '姓名', '客戶姓名', '客户姓名', '名稱', '名称'],
  unit: ['unit', 'room', 'address', '房號', '房号', '單元', '单元', '房屋', '地址'],
  nationality: ['nationality', 'class', '國籍', '国籍', '客戶類別', '客户类别'],
  phones: ['phones', 'phone', 'mobile', 'tel', '電話', '电话', '手機', '手机', '聯繫電話', '联系电话'],
  idNumber: ['idnumber', 'id', 'idno', 'idcard', '身份證號', '身份证号', '身份證號碼', '身份证号码', '證件號碼', '证件号码', '證件號', '证件号'],
  employer: ['employer', 'company', '工作單位', '工作单位', '單位', '单位'],
  email: ['email', 'mail', '電郵', '电邮', '郵箱', '邮箱', '電子郵件', '电子邮件'],
  emergencyContact: ['emergencycontact', '緊急聯繫人', '紧急联系人', '緊急聯絡人', '紧急联络人'],
  notes: ['notes', 'note', 'remarks', 'remark', '備註', '备注'],
};

const normaliseLabel = (s: string) => s.normalize('NFKC').trim().toLowerCase().replace(/[\s_\-.:：]/g, '');
const BY_LABEL = new Map<string, ImportColumn>();
for (const col of IMPORT_COLUMNS) for (const a of ALIASES[col]) BY_LABEL.set(normaliseLabel(a), col);

/** Where each known column sits in a row (0-based). */
export type ColumnIndex = Partial<Record<ImportColumn, number>>;

/** Maps a header row; unknown, duplicate or missing required headers are a 400 naming them. */
export function mapHeader(cells: string[]): { index: ColumnIndex; width: number } {
  const index: ColumnIndex = {};
  const unknown: string[] = [];
  const duplicate: string[] = [];
  let width = 0;
  cells.forEach((raw, i) => {
    const label = normaliseLabel(raw ?? '');
    if (!label) return; // an empty header cell: the column is ignored
    width = i + 1;
    const col = BY_LABEL.get(label);
    if (!col) unknown.push(raw.trim());
    else if (index[col] !== undefined) duplicate.push(raw.trim());
    else index[col] = i;
  });
  const missing = REQUIRED_COLUMNS.filter((c) => index[c] === undefined);
  if (unknown.length || duplicate.length || missing.length) {
    const parts = [
      unknown.length ? `unknown column(s): ${unknown.join(', ')}` : '',
      duplicate.length ? `column(s) given twice: ${duplicate.join(', ')}` : '',
      missing.length ? `missing required column(s): ${missing.join(', ')}` : '',
    ].filter(Boolean);
    throw new AppError(400, 'invalid_header', `The header row is not valid: ${parts.join('; ')}. Known columns: ${IMPORT_COLUMNS.join(', ')}`, {
      unknown,
      duplicate,
      missing,
      known: IMPORT_COLUMNS,
    });
  }
  return { index, width };
}
