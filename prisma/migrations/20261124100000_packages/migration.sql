-- CreateTable
CREATE TABLE "Bundle" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "targetAmount" BIGINT NOT NULL,
    "mode" TEXT NOT NULL,
    "seed" INTEGER NOT NULL,
    "selection" TEXT NOT NULL,
    "settingsVersion" INTEGER NOT NULL,
    "quality" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Package" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "number" TEXT,
    "bundleId" TEXT NOT NULL,
    "draftIndex" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'DRAFT',
    "isRemainder" BOOLEAN NOT NULL DEFAULT false,
    "region" TEXT,
    "targetAmount" BIGINT NOT NULL,
    "total" BIGINT NOT NULL,
    "hardTotal" BIGINT NOT NULL,
    "loanCount" INTEGER NOT NULL,
    "quality" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "submittedById" TEXT,
    "submittedAt" DATETIME,
    "decidedById" TEXT,
    "decidedAt" DATETIME,
    "decision" TEXT,
    "decisionComment" TEXT,
    "approvedAt" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Package_bundleId_fkey" FOREIGN KEY ("bundleId") REFERENCES "Bundle" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PackageLoan" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "packageId" TEXT NOT NULL,
    "loanId" TEXT NOT NULL,
    "loanNumber" TEXT NOT NULL,
    "price" BIGINT NOT NULL,
    "priceId" TEXT,
    "addedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PackageLoan_packageId_fkey" FOREIGN KEY ("packageId") REFERENCES "Package" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "PackageLoan_loanId_fkey" FOREIGN KEY ("loanId") REFERENCES "Loan" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PackageEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "packageId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "byId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PackageEvent_packageId_fkey" FOREIGN KEY ("packageId") REFERENCES "Package" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PackageDocument" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "packageId" TEXT NOT NULL,
    "fileId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "uploadedById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PackageDocument_packageId_fkey" FOREIGN KEY ("packageId") REFERENCES "Package" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DataRoomUndertaking" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "packageId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "textSha256" TEXT NOT NULL,
    "acceptedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ip" TEXT,
    CONSTRAINT "DataRoomUndertaking_packageId_fkey" FOREIGN KEY ("packageId") REFERENCES "Package" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Tender" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'DRAFT',
    "audience" TEXT NOT NULL,
    "excludedPositions" TEXT NOT NULL DEFAULT '[]',
    "auctionEndsAt" DATETIME NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "TenderLot" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenderId" TEXT NOT NULL,
    "packageId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'OPEN',
    CONSTRAINT "TenderLot_tenderId_fkey" FOREIGN KEY ("tenderId") REFERENCES "Tender" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "TenderLot_packageId_fkey" FOREIGN KEY ("packageId") REFERENCES "Package" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PackageNumberSequence" (
    "year" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "last" INTEGER NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Package_number_key" ON "Package"("number");

-- CreateIndex
CREATE INDEX "Package_status_idx" ON "Package"("status");

-- CreateIndex
CREATE INDEX "Package_bundleId_idx" ON "Package"("bundleId");

-- CreateIndex
CREATE UNIQUE INDEX "PackageLoan_loanId_key" ON "PackageLoan"("loanId");

-- CreateIndex
CREATE INDEX "PackageLoan_packageId_idx" ON "PackageLoan"("packageId");

-- CreateIndex
CREATE INDEX "PackageEvent_packageId_at_idx" ON "PackageEvent"("packageId", "at");

-- CreateIndex
CREATE INDEX "PackageDocument_packageId_idx" ON "PackageDocument"("packageId");

-- CreateIndex
CREATE UNIQUE INDEX "DataRoomUndertaking_packageId_userId_key" ON "DataRoomUndertaking"("packageId", "userId");

-- CreateIndex
CREATE INDEX "TenderLot_packageId_idx" ON "TenderLot"("packageId");

-- CreateIndex
CREATE UNIQUE INDEX "TenderLot_tenderId_packageId_key" ON "TenderLot"("tenderId", "packageId");


-- A package's history, the bundles behind it, the undertakings and documents are append-only.
CREATE TRIGGER "PackageEvent_no_update" BEFORE UPDATE ON "PackageEvent" BEGIN SELECT RAISE(ABORT, 'PackageEvent is append-only'); END;
CREATE TRIGGER "PackageEvent_no_delete" BEFORE DELETE ON "PackageEvent" BEGIN SELECT RAISE(ABORT, 'PackageEvent is append-only'); END;
CREATE TRIGGER "Bundle_no_update" BEFORE UPDATE ON "Bundle" BEGIN SELECT RAISE(ABORT, 'Bundle is immutable'); END;
CREATE TRIGGER "Bundle_no_delete" BEFORE DELETE ON "Bundle" BEGIN SELECT RAISE(ABORT, 'Bundle is immutable'); END;
CREATE TRIGGER "DataRoomUndertaking_no_update" BEFORE UPDATE ON "DataRoomUndertaking" BEGIN SELECT RAISE(ABORT, 'DataRoomUndertaking is append-only'); END;
CREATE TRIGGER "DataRoomUndertaking_no_delete" BEFORE DELETE ON "DataRoomUndertaking" BEGIN SELECT RAISE(ABORT, 'DataRoomUndertaking is append-only'); END;
CREATE TRIGGER "PackageDocument_no_update" BEFORE UPDATE ON "PackageDocument" BEGIN SELECT RAISE(ABORT, 'PackageDocument is append-only'); END;
CREATE TRIGGER "PackageDocument_no_delete" BEFORE DELETE ON "PackageDocument" BEGIN SELECT RAISE(ABORT, 'PackageDocument is append-only'); END;
-- Package numbers are never reused: a serial only grows, a package keeps its number, packages are never deleted.
CREATE TRIGGER "PackageNumberSequence_only_grows" BEFORE UPDATE ON "PackageNumberSequence" WHEN NEW."last" <= OLD."last" OR NEW."year" <> OLD."year" BEGIN SELECT RAISE(ABORT, 'package numbers are never reused'); END;
CREATE TRIGGER "PackageNumberSequence_no_delete" BEFORE DELETE ON "PackageNumberSequence" BEGIN SELECT RAISE(ABORT, 'package numbers are never reused'); END;
CREATE TRIGGER "Package_number_fixed" BEFORE UPDATE OF "number" ON "Package" WHEN OLD."number" IS NOT NULL AND (NEW."number" IS NULL OR NEW."number" <> OLD."number") BEGIN SELECT RAISE(ABORT, 'a package keeps its number'); END;
CREATE TRIGGER "Package_no_delete" BEFORE DELETE ON "Package" BEGIN SELECT RAISE(ABORT, 'packages are never deleted: discard the draft'); END;
