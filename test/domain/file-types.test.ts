import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { safeFileName, sniffFileType, zipEntryNames } from "~/domain/file-types";

// A file's type comes from its bytes, never from its name or the declared type.

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...new TextEncoder().encode(p)] : p)));

/** A stored (uncompressed) ZIP with the given entries: local headers, central directory, end record. */
function zip(entries: Record<string, string>): Uint8Array {
  const out: number[] = [];
  const central: number[] = [];
  const le = (n: number, size: number) => Array.from({ length: size }, (_, i) => (n >>> (8 * i)) & 0xff);
  const names = Object.keys(entries);
  for (const name of names) {
    const nameBytes = [...new TextEncoder().encode(name)];
    const data = [...new TextEncoder().encode(entries[name])];
    const offset = out.length;
    out.push(...[0x50, 0x4b, 0x03, 0x04], ...le(20, 2), ...le(0, 2), ...le(0, 2), ...le(0, 4), ...le(0, 4), ...le(data.length, 4), ...le(data.length, 4), ...le(nameBytes.length, 2), ...le(0, 2), ...nameBytes, ...data);
    central.push(...[0x50, 0x4b, 0x01, 0x02], ...le(20, 2), ...le(20, 2), ...le(0, 2), ...le(0, 2), ...le(0, 4), ...le(0, 4), ...le(data.length, 4), ...le(data.length, 4), ...le(nameBytes.length, 2), ...le(0, 2), ...le(0, 2), ...le(0, 2), ...le(0, 2), ...le(0, 4), ...le(offset, 4), ...nameBytes);
  }
  const centralOffset = out.length;
  out.push(...central, ...[0x50, 0x4b, 0x05, 0x06], ...le(0, 2), ...le(0, 2), ...le(names.length, 2), ...le(names.length, 2), ...le(central.length, 4), ...le(centralOffset, 4), ...le(0, 2));
  return new Uint8Array(out);
}

const docx = () => zip({ "[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>", "word/document.xml": "<w:document/>" });

describe("sniffing a file's type from its content", () => {
  it("recognizes PDF, PNG and JPEG by their magic bytes", () => {
    expect(sniffFileType(bytes("%PDF-1.7\n%âãÏÓ\n1 0 obj\n"))).toBe("pdf");
    expect(sniffFileType(bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], "IHDR"))).toBe("png");
    expect(sniffFileType(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], "JFIF"))).toBe("jpeg");
  });

  it("recognizes an XLSX written by a spreadsheet library and a DOCX by their ZIP entries", async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet("贷款").addRow(["贷款编号", "借款人"]);
    const xlsx = new Uint8Array(await workbook.xlsx.writeBuffer());
    expect(zipEntryNames(xlsx)).toContain("[Content_Types].xml");
    expect(sniffFileType(xlsx)).toBe("xlsx");
    expect(sniffFileType(docx())).toBe("docx");
  });

  it("a ZIP that is not an Office document (no [Content_Types].xml, or neither xl/ nor word/) is refused", () => {
    expect(sniffFileType(zip({ "payload.exe": "MZ" }))).toBeNull();
    expect(sniffFileType(zip({ "[Content_Types].xml": "<Types/>", "ppt/slide1.xml": "<p/>" }))).toBeNull();
    expect(sniffFileType(zip({ "META-INF/MANIFEST.MF": "Main-Class: x", "xl/evil.class": "" }))).toBeNull();
  });

  it("reads the local headers when the central directory is missing (a truncated DOCX)", () => {
    const full = docx();
    const truncated = full.subarray(0, full.length - 40);
    expect(sniffFileType(truncated)).toBe("docx");
  });

  it("refuses executables, scripts, HTML and junk — whatever the name says", () => {
    expect(sniffFileType(bytes("MZ", [0x90, 0, 3, 0, 0, 0, 4, 0], "This program cannot be run in DOS mode"))).toBeNull(); // Windows .exe
    expect(sniffFileType(bytes([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]))).toBeNull(); // ELF
    expect(sniffFileType(bytes("#!/bin/sh\nrm -rf /\n"))).toBeNull();
    expect(sniffFileType(bytes("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"))).toBeNull();
    expect(sniffFileType(bytes("\uFEFF  <svg onload=alert(1)>"))).toBeNull();
    expect(sniffFileType(bytes("notes\n<script>alert(1)</script>"))).toBeNull();
    // "evidence.pdf" whose content is not a PDF: random bytes with NULs and invalid UTF-8
    expect(sniffFileType(bytes([0x13, 0x37, 0x00, 0xde, 0xad, 0xbe, 0xef, 0xc3, 0x28]))).toBeNull();
    expect(sniffFileType(bytes(" %PDF-1.7"))).toBe("text"); // not a PDF: the magic must be at the start (a policy without text refuses it)
    expect(sniffFileType(new Uint8Array(0))).toBeNull();
  });

  it("accepts plain text only when it is valid UTF-8 without NUL or other control bytes", () => {
    expect(sniffFileType(bytes("贷款编号,借款人\r\nL001,王小明\n"))).toBe("text");
    expect(sniffFileType(bytes("abc", [0], "def"))).toBeNull();
    expect(sniffFileType(bytes("abc", [0xc3, 0x28]))).toBeNull(); // invalid UTF-8
    expect(sniffFileType(bytes("abc", [0x1b], "[31m"))).toBeNull(); // escape sequence
  });

  it("gives a stored file a safe name with the extension of its real type", () => {
    expect(safeFileName("回执.PDF", "pdf")).toBe("回执.pdf");
    expect(safeFileName("scan.pdf", "png")).toBe("scan.png");
    expect(safeFileName("../../etc/passwd", "jpeg")).toBe("passwd.jpg");
    expect(safeFileName('a"b<c>.jpeg', "jpeg")).toBe("abc.jpg");
    expect(safeFileName("", "pdf")).toBe("file.pdf");
  });
});
