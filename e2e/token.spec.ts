/**
 * The access token in the browser: read from the address the server printed,
 * then gone from the address bar (and so from the history and bookmarks),
 * while a reload of the tab still connects with it.
 */
import { expect, test } from './fixtures.ts';

test('the token leaves the address bar as soon as the IDE has read it, and a reload still connects', async ({ page, studio }) => {
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));

  await page.goto(studio.pageUrl());
  await expect(page.getByTestId('workspace-new')).toBeEnabled();
  await expect(page.getByTestId('connection-banner')).toHaveCount(0);
  expect(page.url()).toBe(`${studio.url}/`);

  await page.reload();
  await expect(page.getByTestId('workspace-new')).toBeEnabled();
  await expect(page.getByTestId('connection-banner')).toHaveCount(0);
  expect(page.url()).toBe(`${studio.url}/`);
  // Both page loads connected with the token, the second from the tab's sessionStorage.
  expect(sockets).toHaveLength(2);
  for (const url of sockets) expect(new URL(url).searchParams.get('token')).toBe(studio.token);
});

test('other parameters of the address stay when the token is removed', async ({ page, studio }) => {
  await page.goto(`${studio.pageUrl()}&workspace=not-created-yet#top`);
  await expect(page.getByTestId('workspace-new')).toBeEnabled();
  expect(page.url()).toBe(`${studio.url}/?workspace=not-created-yet#top`);
});
