'use strict';
// Answers with a row computed by SQLite through the compiled sqlite3 addon.
const http = require('http');
const sqlite3 = require('sqlite3');

const db = new sqlite3.Database(':memory:');
db.serialize(() => {
  db.run('CREATE TABLE greetings (text TEXT)');
  db.run("INSERT INTO greetings VALUES ('hello from sqlite')");
});

const port = Number(process.env.PORT || 3000);
http
  .createServer((req, res) => {
    db.get("SELECT text || ' ' || sqlite_version() AS line FROM greetings", (err, row) => {
      if (err) {
        res.statusCode = 500;
        res.end(String(err));
        return;
      }
      res.end(row.line);
    });
  })
  .listen(port, () => console.log(`listening on ${port}`));
