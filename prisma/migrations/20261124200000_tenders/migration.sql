-- CreateTable
CREATE TABLE "TenderRegistration" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenderId" TEXT NOT NULL,
    "bidderKey" TEXT NOT NULL,
    "bidderKind" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "conflictLoans" TEXT NOT NULL DEFAULT '[]',
    "registeredAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TenderRegistration_tenderId_fkey" FOREIGN KEY ("tenderId") REFERENCES "Tender" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "BidDeposit" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "registrationId" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'cny',
    "status" TEXT NOT NULL,
    "providerRef" TEXT,
    "clientSecret" TEXT,
    "voucherNumber" TEXT,
    "declaredAt" DATETIME,
    "confirmedAt" DATETIME,
    "confirmedById" TEXT,
    "receiptEntryId" TEXT,
    "refundRef" TEXT,
    "refundVoucher" TEXT,
    "refundRequestedAt" DATETIME,
    "refundedAt" DATETIME,
    "refundEntryId" TEXT,
    "forfeitedAt" DATETIME,
    "forfeitEntryId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT "BidDeposit_registrationId_fkey" FOREIGN KEY ("registrationId") REFERENCES "TenderRegistration" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Bid" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "lotId" TEXT NOT NULL,
    "registrationId" TEXT NOT NULL,
    "bidderKey" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "placedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "idempotencyKey" TEXT NOT NULL,
    "closesAtAfter" DATETIME NOT NULL,
    "extended" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "Bid_lotId_fkey" FOREIGN KEY ("lotId") REFERENCES "TenderLot" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LotAward" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "lotId" TEXT NOT NULL,
    "round" INTEGER NOT NULL,
    "bidderKey" TEXT NOT NULL,
    "registrationId" TEXT NOT NULL,
    "price" BIGINT NOT NULL,
    "offeredAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deadline" DATETIME NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "decidedAt" DATETIME,
    "acceptedById" TEXT,
    CONSTRAINT "LotAward_lotId_fkey" FOREIGN KEY ("lotId") REFERENCES "TenderLot" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ProcessedWebhookEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "provider" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "messageKey" TEXT NOT NULL,
    "params" TEXT NOT NULL DEFAULT '{}',
    "link" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readAt" DATETIME
);

-- CreateTable
CREATE TABLE "TenderNumberSequence" (
    "year" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "last" INTEGER NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Tender" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "number" TEXT,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL DEFAULT 'DRAFT',
    "audience" TEXT NOT NULL,
    "excludedPositions" TEXT NOT NULL DEFAULT '[]',
    "registrationOpensAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "registrationClosesAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "auctionStartsAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "auctionEndsAt" DATETIME NOT NULL,
    "bidDeposit" BIGINT NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT 'cny',
    "incrementMinimum" BIGINT NOT NULL DEFAULT 0,
    "incrementRate" TEXT NOT NULL DEFAULT '0',
    "incrementRoundUpTo" BIGINT NOT NULL DEFAULT 0,
    "antiSnipingMinutes" INTEGER NOT NULL DEFAULT 5,
    "contractTermMonths" INTEGER NOT NULL DEFAULT 24,
    "settingsVersion" INTEGER NOT NULL DEFAULT 0,
    "retenderOfId" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "publishedById" TEXT,
    "publishedAt" DATETIME,
    "closedAt" DATETIME
);
INSERT INTO "new_Tender" ("auctionEndsAt", "audience", "createdAt", "createdById", "excludedPositions", "id", "status", "title") SELECT "auctionEndsAt", "audience", "createdAt", "createdById", "excludedPositions", "id", "status", "title" FROM "Tender";
DROP TABLE "Tender";
ALTER TABLE "new_Tender" RENAME TO "Tender";
CREATE UNIQUE INDEX "Tender_number_key" ON "Tender"("number");
CREATE TABLE "new_TenderLot" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenderId" TEXT NOT NULL,
    "packageId" TEXT NOT NULL,
    "lotNumber" INTEGER NOT NULL DEFAULT 1,
    "reserve" BIGINT NOT NULL DEFAULT 0,
    "startsAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closesAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL DEFAULT 'OPEN',
    "highBidId" TEXT,
    "highBid" BIGINT,
    "highBidderKey" TEXT,
    "bidCount" INTEGER NOT NULL DEFAULT 0,
    "closedAt" DATETIME,
    "winningPrice" BIGINT,
    "winnerKey" TEXT,
    "requestedReserve" BIGINT,
    "reserveRequestedById" TEXT,
    "reserveRequestedAt" DATETIME,
    "reserveApprovedById" TEXT,
    "reserveApprovedAt" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT "TenderLot_tenderId_fkey" FOREIGN KEY ("tenderId") REFERENCES "Tender" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "TenderLot_packageId_fkey" FOREIGN KEY ("packageId") REFERENCES "Package" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_TenderLot" ("id", "packageId", "status", "tenderId") SELECT "id", "packageId", "status", "tenderId" FROM "TenderLot";
DROP TABLE "TenderLot";
ALTER TABLE "new_TenderLot" RENAME TO "TenderLot";
CREATE INDEX "TenderLot_packageId_idx" ON "TenderLot"("packageId");
CREATE INDEX "TenderLot_status_closesAt_idx" ON "TenderLot"("status", "closesAt");
CREATE UNIQUE INDEX "TenderLot_tenderId_packageId_key" ON "TenderLot"("tenderId", "packageId");
CREATE UNIQUE INDEX "TenderLot_tenderId_lotNumber_key" ON "TenderLot"("tenderId", "lotNumber");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "TenderRegistration_userId_idx" ON "TenderRegistration"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "TenderRegistration_tenderId_bidderKey_key" ON "TenderRegistration"("tenderId", "bidderKey");

-- CreateIndex
CREATE UNIQUE INDEX "BidDeposit_providerRef_key" ON "BidDeposit"("providerRef");

-- CreateIndex
CREATE INDEX "BidDeposit_registrationId_idx" ON "BidDeposit"("registrationId");

-- CreateIndex
CREATE INDEX "BidDeposit_status_idx" ON "BidDeposit"("status");

-- CreateIndex
CREATE INDEX "Bid_lotId_placedAt_idx" ON "Bid"("lotId", "placedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Bid_lotId_amount_key" ON "Bid"("lotId", "amount");

-- CreateIndex
CREATE UNIQUE INDEX "Bid_bidderKey_idempotencyKey_key" ON "Bid"("bidderKey", "idempotencyKey");

-- CreateIndex
CREATE INDEX "LotAward_status_deadline_idx" ON "LotAward"("status", "deadline");

-- CreateIndex
CREATE UNIQUE INDEX "LotAward_lotId_round_key" ON "LotAward"("lotId", "round");

-- CreateIndex
CREATE INDEX "Notification_userId_readAt_idx" ON "Notification"("userId", "readAt");


-- Accepted bids, processed webhook events and awards are history: never changed (awards only decided) or deleted.
CREATE TRIGGER "Bid_no_update" BEFORE UPDATE ON "Bid" BEGIN SELECT RAISE(ABORT, 'Bid is append-only'); END;
CREATE TRIGGER "Bid_no_delete" BEFORE DELETE ON "Bid" BEGIN SELECT RAISE(ABORT, 'Bid is append-only'); END;
CREATE TRIGGER "ProcessedWebhookEvent_no_update" BEFORE UPDATE ON "ProcessedWebhookEvent" BEGIN SELECT RAISE(ABORT, 'ProcessedWebhookEvent is append-only'); END;
CREATE TRIGGER "ProcessedWebhookEvent_no_delete" BEFORE DELETE ON "ProcessedWebhookEvent" BEGIN SELECT RAISE(ABORT, 'ProcessedWebhookEvent is append-only'); END;
CREATE TRIGGER "LotAward_no_delete" BEFORE DELETE ON "LotAward" BEGIN SELECT RAISE(ABORT, 'LotAward is never deleted'); END;
CREATE TRIGGER "LotAward_decided_once" BEFORE UPDATE ON "LotAward" WHEN OLD."status" <> 'PENDING' BEGIN SELECT RAISE(ABORT, 'a decided award is final'); END;
CREATE TRIGGER "BidDeposit_no_delete" BEFORE DELETE ON "BidDeposit" BEGIN SELECT RAISE(ABORT, 'BidDeposit is never deleted'); END;
CREATE TRIGGER "Tender_no_delete" BEFORE DELETE ON "Tender" BEGIN SELECT RAISE(ABORT, 'tenders are never deleted: cancel them'); END;
CREATE TRIGGER "TenderLot_no_delete" BEFORE DELETE ON "TenderLot" BEGIN SELECT RAISE(ABORT, 'lots are never deleted: withdraw them'); END;
CREATE TRIGGER "TenderNumberSequence_only_grows" BEFORE UPDATE ON "TenderNumberSequence" WHEN NEW."last" <= OLD."last" OR NEW."year" <> OLD."year" BEGIN SELECT RAISE(ABORT, 'tender numbers are never reused'); END;
CREATE TRIGGER "TenderNumberSequence_no_delete" BEFORE DELETE ON "TenderNumberSequence" BEGIN SELECT RAISE(ABORT, 'tender numbers are never reused'); END;
CREATE TRIGGER "Tender_number_fixed" BEFORE UPDATE OF "number" ON "Tender" WHEN OLD."number" IS NOT NULL AND (NEW."number" IS NULL OR NEW."number" <> OLD."number") BEGIN SELECT RAISE(ABORT, 'a tender keeps its number'); END;
