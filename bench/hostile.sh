#!/usr/bin/env bash
# Peak memory and time to a specific error for each hostile file of the test
# corpus, read the way the worker reads it: in `orderdesk parse-worker` with
# the default limits (512 MiB, 20 s, 8 MiB stack). Then the whole path: each
# file ingested and processed by `orderdesk ingest` into a fresh SQLite store.
# Usage: bench/hostile.sh [path/to/orderdesk]   (default target/release/orderdesk)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/orderdesk}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" <<'PY'
import sys, base64
d = sys.argv[1]
def pdf_with_content(content):
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offs = b"%PDF-1.4\n", []
    for i, o in enumerate(objs):
        offs.append(len(out)); out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offs)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
files = {
  "deep-arrays.pdf": b"%PDF-1.4\n1 0 obj\n" + b"[" * 100000 + b"]" * 100000,
  "deep-dictionaries.pdf": b"%PDF-1.4\n1 0 obj\n" + b"<</A " * 60000 + b">>" * 60000,
  "deep-content.pdf": pdf_with_content(b"BT /F1 12 Tf 72 712 Td " + b"[" * 100000 + b"(x)" + b"]" * 100000 + b" TJ ET"),
  "deep.xml": b'<?xml version="1.0"?>' + b"<a>x" * 20000 + b"</a>" * 20000,
  "wide.csv": (";".join("c%d" % i for i in range(1000000)) + "\n").encode(),
}
segs = ["ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261101*1200*U*00401*000000001*0*P*>",
        "GS*PO*SENDER*RECEIVER*20261101*1200*1*X*004010", "ST*850*0001", "BEG*00*SA*PO1**20261101"]
segs += ["PO1*%d*1*EA*1.00**BP*ITEM%d" % (i, i) for i in range(1000000)] + ["SE*1*0001", "GE*1*1", "IEA*1*000000001"]
files["long.x12"] = ("~\n".join(segs) + "~\n").encode()
for name, data in files.items():
    open(f"{d}/{name}", "wb").write(data)
PY
python3 - "$dir" <<'PY'
# An XLSX of 1.5 KB naming cells A1 and XFD1048576.
import sys, zipfile
ct = 'application/vnd.openxmlformats-'
z = zipfile.ZipFile(sys.argv[1] + "/huge-dimension.xlsx", "w", zipfile.ZIP_DEFLATED)
z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="' + ct + 'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="' + ct + 'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="' + ct + 'officedocument.spreadsheetml.worksheet+xml"/></Types>')
z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Artikel</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>')
z.close()
PY
printf '%-24s %10s %12s %10s  %s\n' file bytes "peak MiB" seconds "first error"
for f in "$dir"/*; do
  name=$(basename "$f")
  size=$(stat -c %s "$f")
  out=$( { printf '{"seq":1,"name":"%s","size":%s,"skip":{}}\n' "$name" "$size"; cat "$f"; } \
    | MIMALLOC_ARENA_RESERVE=0 /usr/bin/time -f '%M %e' "$bin" parse-worker --memory-mb 512 --seconds 20 --stack-mb 8 2>"$dir/err" >"$dir/out"; tail -1 "$dir/err")
  peak=$(echo "$out" | awk '{printf "%.0f", $1/1024}')
  secs=$(echo "$out" | awk '{print $2}')
  err=$(python3 -c "
import json,sys
try:
    docs=json.loads(open('$dir/out','rb').read()[8:])
    print(next((d['message'] for doc in docs for d in doc['diagnostics'] if d['severity']=='error'), 'none')[:90])
except Exception:
    lines=[l for l in open('$dir/err') if l.strip() and not l.startswith('part')]
    print(('reader ended: ' + (lines[0].strip() if lines else '?'))[:90])
")
  printf '%-24s %10s %12s %10s  %s\n' "$name" "$size" "$peak" "$secs" "$err"
done
echo
echo "end to end (ingest + process, fresh SQLite):"
(cd "$dir" && /usr/bin/time -f 'peak %M KiB, %e s' "$OLDPWD/$bin" ingest "$dir"/*.pdf "$dir"/*.xml "$dir"/*.csv "$dir"/*.x12 "$dir"/*.xlsx 2>&1 | grep -v WARN | tail -3)
