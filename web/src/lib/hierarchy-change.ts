import { nfc } from './text';

/** "a, b c" -> ['a', 'b', 'c'] */
export const codesIn = (text: string) => text.split(/[\s,;]+/).filter((c) => c !== '');

/**
 * The change as `POST /hierarchies/{version}/changes` takes it (core's HierarchyChange). A split's parts are
 * lines `code; name; type[; parentCode]`, its assignment lines `child = part`.
 */
export function changeOf(form: Record<string, string>): Record<string, unknown> {
  switch (form.kind) {
    case 'rename':
      return { kind: 'rename', code: form.code, name: nfc(form.name ?? '') };
    case 'move':
      return { kind: 'move', code: form.code, newParentCode: form.newParentCode };
    case 'merge':
      return { kind: 'merge', codes: codesIn(form.codes ?? ''), into: form.into };
    case 'split': {
      const parts = nfc(form.parts ?? '')
        .split('\n')
        .map((line) => line.split(';').map((x) => x.trim()))
        .filter((f) => f[0])
        .map(([code, name, type, parentCode]) => ({ code, name, type, ...(parentCode ? { parentCode } : {}) }));
      const assign = Object.fromEntries(
        (form.assign ?? '')
          .split('\n')
          .map((line) => line.split('=').map((x) => x.trim()))
          .filter((f) => f[0] && f[1]),
      );
      return { kind: 'split', code: form.code, parts, ...(Object.keys(assign).length > 0 ? { assign } : {}) };
    }
    default:
      return { kind: 'retire', code: form.code };
  }
}
