/** The API's shapes the app reads (docs/api.md); only the fields used. */
export interface Me {
  username: string;
  role: 'commune_officer' | 'reviewer' | 'central_admin' | 'operator' | 'analyst';
  orgUnit: string;
}

export interface OrgUnit {
  code: string;
  name: string;
  level: string;
  parentCode?: string | null;
}

export interface Category {
  code: string;
  name: string;
  options: Array<{ code: string; name: string }>;
}

export interface DataElement {
  code: string;
  name: string;
  valueType: 'INTEGER' | 'NUMBER' | 'PERCENTAGE' | 'MONEY' | 'BOOLEAN' | 'TEXT';
  categoryCombo?: string;
  unit?: string;
  description?: string;
  min?: number;
  max?: number;
  required?: boolean;
}

export interface Template {
  code: string;
  name: string;
  periodType: string;
  reportingLevel: string;
  dataElements: string[];
  deadlineDaysAfterPeriodEnd: number;
  requiredDataElements?: string[];
}

export interface Indicator {
  code: string;
  name: string;
  unit?: string;
}

export interface Catalog {
  version: string;
  legalBasis: string;
  effectiveFrom?: string;
  categories?: Category[];
  categoryCombos?: Array<{ code: string; name: string; categories: string[] }>;
  dataElements: DataElement[];
  indicators?: Indicator[];
  templates: Template[];
  validationRules?: Array<{
    code: string;
    name: string;
    left: string;
    operator: '==' | '!=' | '<' | '<=' | '>' | '>=';
    right: string;
    importance: 'HIGH' | 'MEDIUM' | 'LOW';
    onViolation: 'WARN' | 'REJECT';
    periodType?: string;
  }>;
}

export interface DataValue {
  dataElement: string;
  optionCombo?: string;
  value: number | string | boolean;
}

export interface ReportView {
  reportId: string;
  template: string;
  orgUnit: string;
  period: string;
  status: string;
  version: number;
  figures: string;
  values: DataValue[];
  submittedAt: string;
  updatedAt: string;
  history: Array<{ version: number; type: string; time: string; actor?: { id?: string; role?: string }; reason?: string; level?: string }>;
}

export interface DueItem {
  template: string;
  templateName: string;
  period: string;
  periodType: string;
  deadline: string;
  tierDeadlines: Array<{ level: string; deadline: string }>;
  status: 'due' | 'late' | 'open' | 'submitted' | 'returned' | 'approved' | 'locked';
  reportId?: string;
  version?: number;
}

export interface Completeness {
  orgUnit: string;
  period: string;
  template: string;
  hierarchy: string;
  deadline: string;
  expected: number;
  received: number;
  onTime: number;
  missing: Array<{ code: string; name: string; parentCode: string | null }>;
  late: Array<{ code: string; receivedAt: string }>;
}

export interface Rollup {
  orgUnit: string;
  period: string;
  hierarchy: string;
  figures: string;
  estimated?: boolean;
  dataElements: Record<string, number>;
  indicators: Record<string, { value: number | null; numerator: number; denominator: number }>;
  completeness: Record<string, { expected: number; received: number; onTime: number }>;
}
