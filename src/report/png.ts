/** SVG to PNG through resvg (a Rust rasterizer shipped as a prebuilt addon), with the system's fonts. */
import { createRequire } from 'node:module';

interface ResvgModule {
  Resvg: new (svg: string, options?: Record<string, unknown>) => { render(): { asPng(): Buffer } };
}

let resvg: ResvgModule | null | undefined;

function load(): ResvgModule | null {
  if (resvg === undefined) {
    try {
      resvg = createRequire(import.meta.url)('@resvg/resvg-js') as ResvgModule;
    } catch {
      resvg = null;
    }
  }
  return resvg;
}

/** True when PNG rendering is available on this machine. */
export function pngAvailable(): boolean {
  return load() !== null;
}

/** Renders an SVG string; throws a clear error when resvg is missing. */
export function svgToPng(svg: string, options: { background?: string } = {}): Buffer {
  const mod = load();
  if (!mod) throw new Error('PNG output needs @resvg/resvg-js, which is not installed (npm install @resvg/resvg-js)');
  const r = new mod.Resvg(svg, {
    background: options.background ?? '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    logLevel: 'off',
  });
  return r.render().asPng();
}
