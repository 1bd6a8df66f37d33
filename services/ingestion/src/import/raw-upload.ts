/** Raw file uploads live in the runtime (the catalog workbook upload uses them too). */
export { acceptUploads, uploadedBuffer } from '@tally/runtime';
