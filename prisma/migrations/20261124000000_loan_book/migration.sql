-- CreateTable
CREATE TABLE "Loan" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "loanNumber" TEXT NOT NULL,
    "borrowerName" TEXT NOT NULL,
    "borrowerType" TEXT NOT NULL,
    "borrowerIdCipher" TEXT NOT NULL,
    "borrowerIdHmac" TEXT NOT NULL,
    "borrowerIdMasked" TEXT NOT NULL,
    "phoneCipher" TEXT,
    "phoneHmac" TEXT,
    "phoneMasked" TEXT,
    "branchId" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "principal" BIGINT NOT NULL,
    "interestOnBalance" BIGINT NOT NULL,
    "interestOffBalance" BIGINT NOT NULL,
    "disbursedOn" TEXT NOT NULL,
    "maturesOn" TEXT NOT NULL,
    "extendedMaturity" TEXT,
    "lastPaymentOn" TEXT,
    "lastInterruptionOn" TEXT,
    "fiveTier" TEXT NOT NULL,
    "termClass" TEXT,
    "balanceSheet" TEXT NOT NULL,
    "writtenOff" BOOLEAN NOT NULL,
    "collateral" TEXT NOT NULL,
    "guarantorName" TEXT,
    "litigation" TEXT NOT NULL,
    "difficulty" TEXT NOT NULL,
    "difficultyReason" TEXT,
    "suggestedDifficulty" TEXT NOT NULL,
    "difficultyStatus" TEXT NOT NULL,
    "difficultyNote" TEXT,
    "difficultyDecidedById" TEXT,
    "difficultyDecidedAt" DATETIME,
    "officerStaffNumber" TEXT,
    "status" TEXT NOT NULL DEFAULT 'IN_BOOK',
    "limitationExpiresOn" TEXT NOT NULL,
    "limitationYears" INTEGER NOT NULL,
    "price" BIGINT,
    "priceId" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "lastTapeId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Loan_branchId_fkey" FOREIGN KEY ("branchId") REFERENCES "Branch" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LoanChange" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "loanId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" TEXT,
    "kind" TEXT NOT NULL,
    "tapeId" TEXT,
    "changes" TEXT NOT NULL,
    CONSTRAINT "LoanChange_loanId_fkey" FOREIGN KEY ("loanId") REFERENCES "Loan" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LoanTape" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "status" TEXT NOT NULL DEFAULT 'processing',
    "format" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "storedPath" TEXT NOT NULL,
    "progress" REAL NOT NULL DEFAULT 0,
    "rowCount" INTEGER NOT NULL DEFAULT 0,
    "createdCount" INTEGER NOT NULL DEFAULT 0,
    "updatedCount" INTEGER NOT NULL DEFAULT 0,
    "unchangedCount" INTEGER NOT NULL DEFAULT 0,
    "errors" TEXT NOT NULL DEFAULT '[]',
    "warnings" TEXT NOT NULL DEFAULT '[]',
    "failure" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "StoredFile" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "mimeType" TEXT NOT NULL,
    "originalName" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "uploadedById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "LimitationInterruption" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "loanId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "occurredOn" TEXT NOT NULL,
    "evidenceFileId" TEXT NOT NULL,
    "note" TEXT,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "recordedById" TEXT NOT NULL,
    "recordedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedById" TEXT,
    "decidedAt" DATETIME,
    "decisionNote" TEXT,
    CONSTRAINT "LimitationInterruption_loanId_fkey" FOREIGN KEY ("loanId") REFERENCES "Loan" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PricingRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "number" INTEGER NOT NULL,
    "pricingDate" TEXT NOT NULL,
    "settingsVersion" INTEGER NOT NULL,
    "claimBasis" TEXT NOT NULL,
    "selection" TEXT NOT NULL,
    "loanCount" INTEGER NOT NULL,
    "totalClaim" BIGINT NOT NULL,
    "totalPrice" BIGINT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "LoanPrice" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT NOT NULL,
    "loanId" TEXT NOT NULL,
    "loanNumber" TEXT NOT NULL,
    "claim" BIGINT NOT NULL,
    "ageYears" INTEGER NOT NULL,
    "band" TEXT NOT NULL,
    "difficulty" TEXT NOT NULL,
    "ratio" TEXT NOT NULL,
    "price" BIGINT NOT NULL,
    CONSTRAINT "LoanPrice_runId_fkey" FOREIGN KEY ("runId") REFERENCES "PricingRun" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "LoanPrice_loanId_fkey" FOREIGN KEY ("loanId") REFERENCES "Loan" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PriceOverride" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "loanPriceId" TEXT NOT NULL,
    "price" BIGINT NOT NULL,
    "reason" TEXT NOT NULL,
    "byId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PriceOverride_loanPriceId_fkey" FOREIGN KEY ("loanPriceId") REFERENCES "LoanPrice" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Loan_loanNumber_key" ON "Loan"("loanNumber");

-- CreateIndex
CREATE INDEX "Loan_branchId_idx" ON "Loan"("branchId");

-- CreateIndex
CREATE INDEX "Loan_region_idx" ON "Loan"("region");

-- CreateIndex
CREATE INDEX "Loan_status_idx" ON "Loan"("status");

-- CreateIndex
CREATE INDEX "Loan_fiveTier_idx" ON "Loan"("fiveTier");

-- CreateIndex
CREATE INDEX "Loan_difficulty_idx" ON "Loan"("difficulty");

-- CreateIndex
CREATE INDEX "Loan_limitationExpiresOn_idx" ON "Loan"("limitationExpiresOn");

-- CreateIndex
CREATE INDEX "Loan_borrowerIdHmac_idx" ON "Loan"("borrowerIdHmac");

-- CreateIndex
CREATE INDEX "Loan_phoneHmac_idx" ON "Loan"("phoneHmac");

-- CreateIndex
CREATE INDEX "Loan_borrowerName_idx" ON "Loan"("borrowerName");

-- CreateIndex
CREATE INDEX "LoanChange_loanId_at_idx" ON "LoanChange"("loanId", "at");

-- CreateIndex
CREATE INDEX "LoanTape_createdById_createdAt_idx" ON "LoanTape"("createdById", "createdAt");

-- CreateIndex
CREATE INDEX "StoredFile_sha256_idx" ON "StoredFile"("sha256");

-- CreateIndex
CREATE INDEX "LimitationInterruption_loanId_idx" ON "LimitationInterruption"("loanId");

-- CreateIndex
CREATE INDEX "LimitationInterruption_status_idx" ON "LimitationInterruption"("status");

-- CreateIndex
CREATE UNIQUE INDEX "PricingRun_number_key" ON "PricingRun"("number");

-- CreateIndex
CREATE INDEX "LoanPrice_loanId_idx" ON "LoanPrice"("loanId");

-- CreateIndex
CREATE UNIQUE INDEX "LoanPrice_runId_loanId_key" ON "LoanPrice"("runId", "loanId");

-- CreateIndex
CREATE INDEX "PriceOverride_loanPriceId_at_idx" ON "PriceOverride"("loanPriceId", "at");


-- A loan's history, the verified decisions on it and the computed prices are records, never edited.
CREATE TRIGGER "LoanChange_no_update" BEFORE UPDATE ON "LoanChange" BEGIN SELECT RAISE(ABORT, 'LoanChange is append-only'); END;
CREATE TRIGGER "LoanChange_no_delete" BEFORE DELETE ON "LoanChange" BEGIN SELECT RAISE(ABORT, 'LoanChange is append-only'); END;
CREATE TRIGGER "LoanPrice_no_update" BEFORE UPDATE ON "LoanPrice" BEGIN SELECT RAISE(ABORT, 'LoanPrice is immutable: override it'); END;
CREATE TRIGGER "LoanPrice_no_delete" BEFORE DELETE ON "LoanPrice" BEGIN SELECT RAISE(ABORT, 'LoanPrice is immutable'); END;
CREATE TRIGGER "PriceOverride_no_update" BEFORE UPDATE ON "PriceOverride" BEGIN SELECT RAISE(ABORT, 'PriceOverride is append-only'); END;
CREATE TRIGGER "PriceOverride_no_delete" BEFORE DELETE ON "PriceOverride" BEGIN SELECT RAISE(ABORT, 'PriceOverride is append-only'); END;
CREATE TRIGGER "PricingRun_no_update" BEFORE UPDATE ON "PricingRun" BEGIN SELECT RAISE(ABORT, 'PricingRun is immutable'); END;
CREATE TRIGGER "PricingRun_no_delete" BEFORE DELETE ON "PricingRun" BEGIN SELECT RAISE(ABORT, 'PricingRun is immutable'); END;
