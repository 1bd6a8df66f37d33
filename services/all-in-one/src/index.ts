export * from './platform';
export * from './demo';
export { ensureWebBuild, webBuildIsCurrent } from './web-app/build';
export { mountWebApp } from './web-app/static';
