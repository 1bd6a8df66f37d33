/* global self, caches, fetch, Response, URL */
// The app shell offline: the page and its content-hashed files are kept in the browser, so the app opens
// without a connection (reports filled then wait in the offline queue). The page: network first, the kept copy
// when offline. /assets/*: never change (hashed names), so the kept copy first. The API is never cached here.
const CACHE = 'tally-shell-v1';

async function precache() {
  const cache = await caches.open(CACHE);
  const page = await fetch('/', { cache: 'no-store' });
  const html = await page.clone().text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  await cache.put('/', page);
  await cache.addAll(assets);
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(
      caches.match(request).then(
        (hit) =>
          hit ||
          fetch(request).then((response) => {
            if (response.ok) void caches.open(CACHE).then((c) => c.put(request, response.clone()));
            return response;
          }),
      ),
    );
  } else if (url.pathname === '/') {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) void caches.open(CACHE).then((c) => c.put('/', response.clone()));
          return response;
        })
        .catch(() => caches.match('/').then((hit) => hit || Response.error())),
    );
  }
});
