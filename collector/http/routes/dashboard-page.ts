// The page the collector serves when the dashboard was not built (dashboard/dist/index.html missing), in
// Vietnamese and English. Static text only: nothing from a request or an endpoint is inserted.
export const DASHBOARD_MISSING_PAGE = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>soclite — dashboard not built</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; background: #f5f6f8; color: #1d2330; }
  main { max-width: 640px; margin: 60px auto; background: #fff; padding: 24px 32px; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.1); }
  h1 { font-size: 20px; } code { background: #eef1f5; padding: 2px 6px; border-radius: 4px; }
</style>
</head>
<body>
<main>
  <h1>Bảng điều khiển chưa được build</h1>
  <p>Collector đang chạy và API hoạt động bình thường, nhưng thư mục <code>dashboard/dist</code> chưa có.
     Chạy <code>npm run build</code> trong thư mục soclite rồi tải lại trang này.</p>
  <hr>
  <h1 lang="en">The dashboard has not been built</h1>
  <p lang="en">The collector is running and its API works, but <code>dashboard/dist</code> does not exist.
     Run <code>npm run build</code> in the soclite folder, then reload this page.</p>
</main>
</body>
</html>
`;
