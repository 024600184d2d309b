// A small, dependency-free page: log in, then the fleet table refreshed every 5 s. All endpoint data is
// inserted with textContent, never innerHTML, because hostnames and process names come from endpoints.
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>soclite</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; background: #f5f6f8; color: #1d2330; }
  header { background: #1d3557; color: #fff; padding: 10px 20px; display: flex; gap: 16px; align-items: center; }
  header h1 { font-size: 18px; margin: 0; flex: 1; }
  main { padding: 20px; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e3e6ea; font-size: 14px; }
  .state-online { color: #1b7f3b; } .state-late { color: #b7791f; } .state-offline, .state-missing { color: #c53030; }
  form { background: #fff; padding: 20px; max-width: 320px; display: grid; gap: 10px; }
  button { cursor: pointer; }
  #error { color: #c53030; }
</style>
</head>
<body>
<header><h1 data-i18n="title"></h1><button id="lang" type="button"></button><button id="logout" type="button" hidden data-i18n="logout"></button></header>
<main>
  <form id="login">
    <label><span data-i18n="username"></span><br><input name="username" autocomplete="username" required></label>
    <label><span data-i18n="password"></span><br><input name="password" type="password" autocomplete="current-password" required></label>
    <button type="submit" data-i18n="login"></button>
    <div id="error" role="alert"></div>
  </form>
  <section id="fleet" hidden>
    <p id="summary"></p>
    <table><thead><tr><th data-i18n="host"></th><th data-i18n="state"></th><th data-i18n="lastSeen"></th><th data-i18n="os"></th><th data-i18n="unit"></th></tr></thead><tbody id="rows"></tbody></table>
  </section>
</main>
<script>
const T = {
  vi: { title: 'soclite — Giám sát an toàn thông tin', username: 'Tên đăng nhập', password: 'Mật khẩu', login: 'Đăng nhập', logout: 'Đăng xuất',
        host: 'Máy', state: 'Trạng thái', lastSeen: 'Báo cáo gần nhất', os: 'Hệ điều hành', unit: 'Đơn vị', lang: 'English',
        summary: (n) => n + ' máy đã đăng ký', online: 'trực tuyến', late: 'chậm', offline: 'mất kết nối', missing: 'mất tích', stopped: 'đã dừng', retired: 'ngừng sử dụng', bad: 'Sai tên đăng nhập hoặc mật khẩu' },
  en: { title: 'soclite — Security monitoring', username: 'Username', password: 'Password', login: 'Log in', logout: 'Log out',
        host: 'Host', state: 'State', lastSeen: 'Last report', os: 'OS', unit: 'Unit', lang: 'Tiếng Việt',
        summary: (n) => n + ' machines enrolled', online: 'online', late: 'late', offline: 'offline', missing: 'missing', stopped: 'stopped', retired: 'retired', bad: 'Wrong username or password' },
};
let lang = localStorage.getItem('soclite.lang') || 'vi';
let csrf = sessionStorage.getItem('soclite.csrf') || '';
const $ = (id) => document.getElementById(id);
function paint() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = T[lang][el.dataset.i18n];
  $('lang').textContent = T[lang].lang;
}
async function loadFleet() {
  const res = await fetch('/api/v1/agents?limit=1000', { credentials: 'same-origin' });
  if (res.status === 401) { $('login').hidden = false; $('fleet').hidden = true; $('logout').hidden = true; return; }
  const data = await res.json();
  $('login').hidden = true; $('fleet').hidden = false; $('logout').hidden = false;
  $('summary').textContent = T[lang].summary(data.total);
  const body = $('rows'); body.replaceChildren();
  for (const a of data.items) {
    const tr = document.createElement('tr');
    const cells = [a.hostname, T[lang][a.state] || a.state, a.lastSeenAt ? new Date(a.lastSeenAt).toLocaleString() : '—', a.platform, a.unitId];
    cells.forEach((v, i) => { const td = document.createElement('td'); td.textContent = v; if (i === 1) td.className = 'state-' + a.state; tr.appendChild(td); });
    body.appendChild(tr);
  }
}
$('login').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const res = await fetch('/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: f.get('username'), password: f.get('password') }) });
  if (!res.ok) { $('error').textContent = T[lang].bad; return; }
  csrf = (await res.json()).csrfToken; sessionStorage.setItem('soclite.csrf', csrf); $('error').textContent = '';
  loadFleet();
});
$('logout').addEventListener('click', async () => { await fetch('/api/v1/session', { method: 'DELETE', headers: { 'x-csrf-token': csrf } }); loadFleet(); });
$('lang').addEventListener('click', () => { lang = lang === 'vi' ? 'en' : 'vi'; localStorage.setItem('soclite.lang', lang); paint(); loadFleet(); });
paint(); loadFleet(); setInterval(loadFleet, 5000);
</script>
</body>
</html>
`;
