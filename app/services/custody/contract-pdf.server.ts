import { existsSync } from "node:fs";
import PDFDocument from "pdfkit";
import { UserError } from "~/domain/errors";
import type { ContractDocument, DocumentBlock } from "./contract-document.server";

/**
 * The contract document as a PDF (pdfkit), from the same model as the printable page. Chinese needs a
 * CJK font on the server: CONTRACT_FONT_PATH (with CONTRACT_FONT_NAME for a font collection, .ttc),
 * else the first of the usual Debian fonts that exists; none is a 503 telling the administrator what
 * to install.
 */

export interface ContractFont {
  path: string;
  /** the PostScript name of the face inside a collection (.ttc/.otc); pdfkit needs it there */
  name?: string;
}

/** Debian's CJK fonts, in order of preference, with the face to use inside each collection. */
export const knownFonts: ContractFont[] = [
  { path: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", name: "WenQuanYiMicroHei" },
  { path: "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", name: "WenQuanYiZenHei" },
  { path: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", name: "NotoSansCJKsc-Regular" },
];

/** The font to write the contract with, or a 503 refusal naming the fix. */
export function contractFont(env: Record<string, string | undefined> = process.env, exists: (path: string) => boolean = existsSync): ContractFont {
  const configured = env.CONTRACT_FONT_PATH?.trim();
  if (configured) {
    if (!exists(configured)) throw new UserError("contractPages.fontMissing", { status: 503 });
    const name = env.CONTRACT_FONT_NAME?.trim();
    return name ? { path: configured, name } : { path: configured };
  }
  const found = knownFonts.find((f) => exists(f.path));
  if (!found) throw new UserError("contractPages.fontMissing", { status: 503 });
  return found;
}

const margin = 56;

/**
 * An A4 pdfkit document in the Chinese font, collected into a Buffer (`done` resolves after doc.end()),
 * with the writable width and a page break when fewer than `height` points are left: shared by the
 * bank's printed documents (contracts, fee statements).
 */
export function a4Document(spec: { title: string; number: string; margin: number; font: ContractFont }) {
  const doc = new PDFDocument({ size: "A4", margin: spec.margin, info: { Title: `${spec.title} ${spec.number}`, Subject: spec.number } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  if (spec.font.name) doc.font(spec.font.path, spec.font.name);
  else doc.font(spec.font.path);
  const width = doc.page.width - spec.margin * 2;
  const bottom = () => doc.page.height - spec.margin;
  const ensureRoom = (height: number) => {
    if (doc.y + height > bottom()) doc.addPage();
  };
  return { doc, done, width, bottom, ensureRoom };
}
const ink = "#111111";
const muted = "#555555";
const rule = "#999999";

/** Renders the document: title, number, sections (facts, paragraphs, lists, the loan table, signatures), footer. */
export async function contractPdf(document: ContractDocument, font: ContractFont = contractFont()): Promise<Buffer> {
  const { doc, done, width, ensureRoom } = a4Document({ title: document.title, number: document.number, margin, font });

  doc.fillColor(ink).fontSize(20).text(document.title, { align: "center" });
  doc.moveDown(0.3).fontSize(10).fillColor(muted).text(document.numberLine, { align: "center" });
  doc.moveDown(1).fontSize(10.5).fillColor(ink).text(document.preamble, { lineGap: 3 });

  const renderBlock = (block: DocumentBlock) => {
    switch (block.kind) {
      case "paragraph":
        doc.fontSize(10.5).fillColor(ink).text(block.text, margin, doc.y, { width, lineGap: 3 });
        doc.moveDown(0.3);
        break;
      case "list":
        block.items.forEach((item, i) => {
          doc.fontSize(10.5).fillColor(ink).text(`${i + 1}. ${item}`, margin + 8, doc.y, { width: width - 8, lineGap: 3 });
          doc.moveDown(0.2);
        });
        break;
      case "facts":
        for (const row of block.rows) {
          ensureRoom(18);
          const y = doc.y;
          doc.fontSize(10.5).fillColor(muted).text(row.label, margin, y, { width: 130 });
          const afterLabel = doc.y;
          doc.fillColor(ink).text(row.value, margin + 140, y, { width: width - 140 });
          doc.y = Math.max(afterLabel, doc.y) + 2;
        }
        doc.x = margin;
        break;
      case "table": {
        const widths = [0.24, 0.16, 0.2, 0.2, 0.2].slice(0, block.head.length).map((w) => w * width);
        const row = (cells: string[], options: { bold?: boolean; colour?: string } = {}) => {
          ensureRoom(18);
          const y = doc.y;
          let x = margin;
          let lowest = y;
          cells.forEach((text, i) => {
            const w = widths[i] ?? width / cells.length;
            doc.fontSize(9).fillColor(options.colour ?? ink).text(text, x + 2, y, { width: w - 4, align: block.numeric[i] ? "right" : "left" });
            lowest = Math.max(lowest, doc.y);
            x += w;
          });
          doc.y = lowest + 3;
          doc.moveTo(margin, doc.y - 1).lineTo(margin + width, doc.y - 1).lineWidth(0.3).strokeColor(rule).stroke();
        };
        row(block.head, { colour: muted });
        for (const cells of block.rows) row(cells);
        if (block.footer) row(block.footer);
        doc.x = margin;
        doc.moveDown(0.3);
        break;
      }
      case "signatures":
        for (const party of block.parties) {
          ensureRoom(70);
          doc.fontSize(11).fillColor(ink).text(party.role, margin, doc.y);
          for (const r of party.rows) {
            const y = doc.y;
            doc.fontSize(10).fillColor(muted).text(r.label, margin + 12, y, { width: 90 });
            doc.fillColor(ink).text(r.value, margin + 110, y, { width: width - 110 });
          }
          doc.moveDown(0.6);
        }
        doc.x = margin;
        break;
    }
  };

  for (const section of document.sections) {
    ensureRoom(60);
    doc.moveDown(0.6).fontSize(13).fillColor(ink).text(section.heading, margin, doc.y);
    doc.moveDown(0.3);
    for (const block of section.blocks) renderBlock(block);
  }
  ensureRoom(30);
  doc.moveDown(1).fontSize(9).fillColor(muted).text(document.footer, margin, doc.y, { width });
  doc.end();
  return done;
}
