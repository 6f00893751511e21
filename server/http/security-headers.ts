import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * The browser-enforced part: a Content-Security-Policy the showroom and the agent console run under
 * (their scripts are same-origin modules; the console's page has one inline <style>, allowed by its
 * hash; GLTFLoader shows embedded textures through blob: URLs; the live session talks to this origin
 * over WebSocket), no framing by other sites, and helmet's other defaults.
 *
 * With several processes (Redis), a visitor's WebSocket may go to another process's PUBLIC_ADDRESS,
 * which this process cannot list, so ws:/wss: to any host are allowed then.
 */
export function securityHeaders(options: {
  inlineStyleHashes: readonly string[];
  multiProcess: boolean;
}): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", ...options.inlineStyleHashes.map((hash) => `'${hash}'`)],
        "img-src": ["'self'", "data:", "blob:"],
        // three's GLTFLoader fetches a model's embedded textures (the headset's controllers) as blob: URLs.
        "connect-src": ["'self'", "blob:", "data:", ...(options.multiProcess ? ["ws:", "wss:"] : [])],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
      },
    },
    frameguard: { action: "deny" },
    // WebXR and WebGL need no cross-origin isolation; requiring it would only break embedding of assets.
    crossOriginEmbedderPolicy: false,
    // Browsers heed it only over HTTPS (behind a TLS proxy); other hosts of the domain are not ours to pin.
    strictTransportSecurity: { maxAge: 180 * 24 * 3600, includeSubDomains: false },
  });
}
