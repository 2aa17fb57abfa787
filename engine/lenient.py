"""Open a batch that may lack optional columns, for comparing and testing drafts.

A draft rulebook may add a column (a new document, say) that past batches and the
shipped case workbook do not have.  A document nobody recorded was not brought, so a
missing optional column reads as blank, as a blank cell would.  A missing required
column is still an error, exactly as for `sscard check`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from .errors import MissingColumns
from .reader import Batch, open_batch
from .schema import Schema, header_key


def open_lenient(path: str | Path, schema: Schema) -> tuple[Batch, list[str]]:
    """The batch, and the headers of the optional columns it lacks (read as blank)."""
    required_only = dataclasses.replace(schema, columns=tuple(c for c in schema.columns if c.required))
    batch = open_batch(path, required_only)
    try:
        absent = []
        for column in schema.columns:
            if column.required:
                continue
            at = [i for i, h in enumerate(batch.headers) if header_key(h) == header_key(column.header)]
            if len(at) > 1:
                places = "和".join(f"第 {i + 1} 列" for i in at)
                raise MissingColumns(f"{batch.path} 工作表「{batch.sheet}」第 1 行:列重复,无法确定用哪一列:"
                                     f"{column.header}({places})")
            if at:
                batch.key_at[column.key] = at[0]
            else:
                absent.append(column.header)
    except BaseException:
        batch.close()
        raise
    return batch, absent
