// The Node.js receiver of notifier's load runs (bench/run.sh): it reads a
// webhook's body, verifies it with the standardwebhooks library, and
// answers 204, as a user's own receiver would. Usage:
//   REPLICATE_WEBHOOK_SECRET=whsec_... node server.mjs 127.0.0.1 18093 /h
import http from "node:http";
import { Webhook } from "standardwebhooks";

const [host, port, path] = process.argv.slice(2);
const wh = new Webhook(process.env.REPLICATE_WEBHOOK_SECRET.replace(/^whsec_/, ""));
let verified = 0, refused = 0;
http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/stats") {
    res.end(`${verified} verified, ${refused} refused\n`);
    return;
  }
  if (req.method !== "POST" || req.url !== path) {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    try {
      wh.verify(Buffer.concat(chunks).toString("utf8"), req.headers);
      verified++;
      res.writeHead(204).end();
    } catch {
      refused++;
      res.writeHead(401).end("bad signature");
    }
  });
}).listen(Number(port), host);
