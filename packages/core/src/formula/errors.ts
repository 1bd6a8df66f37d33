import { DomainError } from '../errors';

/**
 * A formula could not be parsed. `position` is the 0-based offset (in UTF-16 code units) into the
 * formula text where the problem starts; the end of input is `text.length`.
 */
export class FormulaError extends DomainError {
  constructor(
    message: string,
    readonly position: number,
    readonly formula: string,
  ) {
    super('FORMULA_SYNTAX', `${message} at position ${position}`, { position, formula });
    this.name = 'FormulaError';
  }
}
