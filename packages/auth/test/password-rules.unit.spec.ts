import { describe, expect, it } from 'vitest';
import { commonPasswordCount, isCommonPassword } from '../src/common-passwords';
import { passwordProblem } from '../src/password';

describe('password rules (NIST SP 800-63B)', () => {
  it('ships the 10,000 most common passwords and finds them in any case', () => {
    expect(commonPasswordCount()).toBe(10_000);
    expect(isCommonPassword('password12')).toBe(true);
    expect(isCommonPassword('PassWord12')).toBe(true);
    expect(isCommonPassword('qwertyuiop')).toBe(true);
    expect(isCommonPassword('Thái Nguyên 1719 báo cáo')).toBe(false);
  });

  it('refuses common, repetitive, whitespace-only passwords and control characters', () => {
    expect(passwordProblem('password12')).toMatch(/most common/);
    expect(passwordProblem('1234567890')).toMatch(/most common/);
    expect(passwordProblem('aaaaaaaaaa')).toMatch(/different characters/);
    expect(passwordProblem('abababababab')).toMatch(/different characters/);
    expect(passwordProblem(' '.repeat(10))).toMatch(/only spaces/);
    expect(passwordProblem('\u3000'.repeat(12))).toMatch(/only spaces/);
    expect(passwordProblem('\u0001'.repeat(10))).toMatch(/control characters/);
    expect(passwordProblem('good-password\u0000')).toMatch(/control characters/);
    expect(passwordProblem('tab\tinside-it')).toMatch(/control characters/);
  });

  it('accepts long, uncommon passphrases, spaces and Vietnamese included, judged in NFC', () => {
    expect(passwordProblem('a-long-enough-one')).toBeNull();
    expect(passwordProblem('bốn con mèo đen')).toBeNull();
    // NFD input is judged as the NFC it is hashed as: 9 characters in NFC, refused as too short
    expect(passwordProblem('Mật khẩu!'.normalize('NFD'))).toMatch(/at least/);
  });
});
