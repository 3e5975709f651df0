-- CreateTable
CREATE TABLE "LedgerAccount" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "type" TEXT NOT NULL,
    "ownerOrganizationId" TEXT,
    "ownerUserId" TEXT,
    "key" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "JournalEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "postedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "description" TEXT NOT NULL,
    "sourceType" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "reversesId" TEXT,
    CONSTRAINT "JournalEntry_reversesId_fkey" FOREIGN KEY ("reversesId") REFERENCES "JournalEntry" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "JournalLine" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "entryId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    CONSTRAINT "JournalLine_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "JournalEntry" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "JournalLine_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "LedgerAccount" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "LedgerAccount_key_key" ON "LedgerAccount"("key");

-- CreateIndex
CREATE INDEX "LedgerAccount_type_idx" ON "LedgerAccount"("type");

-- CreateIndex
CREATE UNIQUE INDEX "JournalEntry_reversesId_key" ON "JournalEntry"("reversesId");

-- CreateIndex
CREATE INDEX "JournalEntry_sourceType_sourceId_idx" ON "JournalEntry"("sourceType", "sourceId");

-- CreateIndex
CREATE INDEX "JournalLine_accountId_idx" ON "JournalLine"("accountId");

-- CreateIndex
CREATE INDEX "JournalLine_entryId_idx" ON "JournalLine"("entryId");


-- Money movements are never edited or deleted: corrections are reversing entries.
CREATE TRIGGER "JournalEntry_no_update" BEFORE UPDATE ON "JournalEntry" BEGIN SELECT RAISE(ABORT, 'JournalEntry is immutable'); END;
CREATE TRIGGER "JournalEntry_no_delete" BEFORE DELETE ON "JournalEntry" BEGIN SELECT RAISE(ABORT, 'JournalEntry is immutable'); END;
CREATE TRIGGER "JournalLine_no_update" BEFORE UPDATE ON "JournalLine" BEGIN SELECT RAISE(ABORT, 'JournalLine is immutable'); END;
CREATE TRIGGER "JournalLine_no_delete" BEFORE DELETE ON "JournalLine" BEGIN SELECT RAISE(ABORT, 'JournalLine is immutable'); END;
CREATE TRIGGER "JournalLine_positive" BEFORE INSERT ON "JournalLine" WHEN NEW."amount" <= 0 OR NEW."side" NOT IN ('DEBIT', 'CREDIT') BEGIN SELECT RAISE(ABORT, 'JournalLine amount must be positive and side DEBIT or CREDIT'); END;
