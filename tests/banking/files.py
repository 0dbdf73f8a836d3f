"""Bank exports as Chinese banks write them, built in memory for the tests."""

import csv
import io

from openpyxl import Workbook

CMB_HEADER = [
    "交易日",
    "交易时间",
    "借方金额",
    "贷方金额",
    "余额",
    "摘要",
    "流水号",
    "收(付)方名称",
    "收(付)方帐号",
    "用途",
]


def gbk_csv(rows, *, title=True):
    """A GBK CSV with the bank's title rows above the header (招商银行-like)."""
    text = io.StringIO()
    writer = csv.writer(text)
    if title:
        writer.writerows([["账户明细查询"], ["账号：571900000000001", "户名：钱塘代运营有限公司"]])
        writer.writerows([["查询期间：2026-09-01 至 2026-09-30"], []])
    writer.writerow(CMB_HEADER)
    writer.writerows(rows)
    writer.writerow(["合计", "", "1,000.00", "15,570.50"])
    return io.BytesIO(text.getvalue().encode("gbk"))


def utf8_bom_csv(text):
    return io.BytesIO(b"\xef\xbb\xbf" + text.encode("utf-8"))


def xlsx(
    rows,
    header=("记账日期", "贷方发生额", "借方发生额", "对方户名", "对方账号", "摘要", "交易流水号"),
):
    book = Workbook()
    sheet = book.active
    sheet.append(["中国建设银行 单位账户交易明细"])
    sheet.append([])
    sheet.append(list(header))
    for r in rows:
        sheet.append(list(r))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def camt053(entries):
    """A camt.053.001.02 statement of ``entries``: (direction, amount, date, ref, name,
    account, remark)."""
    body = []
    for direction, amount, day, ref, name, account, remark in entries:
        body.append(
            f"""<Ntry><Amt Ccy="CNY">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>{day}</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>
<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>{name}</Nm></Dbtr><DbtrAcct><Id><Othr><Id>{account}</Id></Othr></Id></DbtrAcct></RltdPties>
<RmtInf><Ustrd>{remark}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"""
        )
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-10-01T00:00:00+08:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id>{"".join(body)}</Stmt></BkToCstmrStmt></Document>"""
    return io.BytesIO(xml.encode("utf-8"))
