-- CreateTable
CREATE TABLE "CustodyContract" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "number" TEXT NOT NULL,
    "awardId" TEXT NOT NULL,
    "lotId" TEXT NOT NULL,
    "tenderId" TEXT NOT NULL,
    "packageId" TEXT NOT NULL,
    "custodianKey" TEXT NOT NULL,
    "custodianKind" TEXT NOT NULL,
    "custodianUserId" TEXT,
    "custodianOrgId" TEXT NOT NULL,
    "registrationId" TEXT NOT NULL,
    "winningPrice" BIGINT NOT NULL,
    "task" BIGINT NOT NULL,
    "termMonths" INTEGER NOT NULL,
    "performanceDeposit" BIGINT NOT NULL,
    "bidDepositCredit" BIGINT NOT NULL DEFAULT 0,
    "terms" TEXT NOT NULL,
    "settingsVersion" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'AWAITING_SIGNATURE',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "signedById" TEXT,
    "signedAt" DATETIME,
    "signedIp" TEXT,
    "signedUserAgent" TEXT,
    "countersignedById" TEXT,
    "countersignedAt" DATETIME,
    "countersignedIp" TEXT,
    "countersignedUserAgent" TEXT,
    "custodyStartsAt" DATETIME,
    "custodyEndsAt" DATETIME,
    "endedAt" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 1
);

-- CreateTable
CREATE TABLE "CustodyLoan" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contractId" TEXT NOT NULL,
    "loanId" TEXT NOT NULL,
    "loanNumber" TEXT NOT NULL,
    "pricedValue" BIGINT NOT NULL,
    "principal" BIGINT NOT NULL,
    "interest" BIGINT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "returnedAt" DATETIME,
    CONSTRAINT "CustodyLoan_contractId_fkey" FOREIGN KEY ("contractId") REFERENCES "CustodyContract" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PerformanceDepositPayment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contractId" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'cny',
    "status" TEXT NOT NULL,
    "providerRef" TEXT,
    "clientSecret" TEXT,
    "voucherNumber" TEXT,
    "declaredAt" DATETIME,
    "declaredById" TEXT,
    "confirmedAt" DATETIME,
    "confirmedById" TEXT,
    "receiptEntryId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT "PerformanceDepositPayment_contractId_fkey" FOREIGN KEY ("contractId") REFERENCES "CustodyContract" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FullTimeApplication" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "contractCount" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "appliedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedById" TEXT,
    "decidedAt" DATETIME,
    "decisionNote" TEXT
);

-- CreateTable
CREATE TABLE "CollectionActivity" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contractId" TEXT NOT NULL,
    "loanId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "party" TEXT,
    "at" DATETIME NOT NULL,
    "effective" BOOLEAN NOT NULL DEFAULT false,
    "outcome" TEXT NOT NULL DEFAULT '',
    "note" TEXT,
    "evidenceFileId" TEXT,
    "interruptionId" TEXT,
    "recordedById" TEXT NOT NULL,
    "recordedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CollectionActivity_contractId_fkey" FOREIGN KEY ("contractId") REFERENCES "CustodyContract" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LimitationAlert" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "loanId" TEXT NOT NULL,
    "contractId" TEXT,
    "expiresOn" TEXT NOT NULL,
    "days" INTEGER NOT NULL,
    "sentAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "RepaymentAgreement" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contractId" TEXT NOT NULL,
    "loanId" TEXT NOT NULL,
    "signedOn" TEXT NOT NULL,
    "outstandingPrincipal" BIGINT NOT NULL,
    "outstandingInterest" BIGINT NOT NULL,
    "scheduledPrincipal" BIGINT NOT NULL,
    "scheduledInterest" BIGINT NOT NULL,
    "lastDueOn" TEXT NOT NULL,
    "documentFileId" TEXT,
    "note" TEXT,
    "status" TEXT NOT NULL,
    "settingsVersion" INTEGER NOT NULL,
    "recordedById" TEXT NOT NULL,
    "recordedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT "RepaymentAgreement_contractId_fkey" FOREIGN KEY ("contractId") REFERENCES "CustodyContract" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AgreementInstalment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "agreementId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "dueOn" TEXT NOT NULL,
    "principal" BIGINT NOT NULL,
    "interest" BIGINT NOT NULL,
    CONSTRAINT "AgreementInstalment_agreementId_fkey" FOREIGN KEY ("agreementId") REFERENCES "RepaymentAgreement" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AgreementPayment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "agreementId" TEXT NOT NULL,
    "paidOn" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "note" TEXT,
    "recordedById" TEXT NOT NULL,
    "recordedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AgreementPayment_agreementId_fkey" FOREIGN KEY ("agreementId") REFERENCES "RepaymentAgreement" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WaiverRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "agreementId" TEXT NOT NULL,
    "contractId" TEXT NOT NULL,
    "loanId" TEXT NOT NULL,
    "principal" BIGINT NOT NULL,
    "interest" BIGINT NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "requestedById" TEXT NOT NULL,
    "requestedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedById" TEXT,
    "decidedAt" DATETIME,
    "decisionNote" TEXT,
    CONSTRAINT "WaiverRequest_agreementId_fkey" FOREIGN KEY ("agreementId") REFERENCES "RepaymentAgreement" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LiabilityEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contractId" TEXT NOT NULL,
    "loanId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "occurredOn" TEXT NOT NULL,
    "detectedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "recordedById" TEXT,
    "note" TEXT,
    "status" TEXT NOT NULL DEFAULT 'DETECTED',
    "decidedById" TEXT,
    "decidedAt" DATETIME,
    "decisionNote" TEXT,
    "forfeit" BIGINT,
    "compensation" BIGINT,
    "fromDeposit" BIGINT,
    "claim" BIGINT,
    "entryId" TEXT,
    CONSTRAINT "LiabilityEvent_contractId_fkey" FOREIGN KEY ("contractId") REFERENCES "CustodyContract" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ContractNumberSequence" (
    "year" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "last" INTEGER NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "CustodyContract_number_key" ON "CustodyContract"("number");

-- CreateIndex
CREATE UNIQUE INDEX "CustodyContract_awardId_key" ON "CustodyContract"("awardId");

-- CreateIndex
CREATE INDEX "CustodyContract_custodianKey_idx" ON "CustodyContract"("custodianKey");

-- CreateIndex
CREATE INDEX "CustodyContract_status_idx" ON "CustodyContract"("status");

-- CreateIndex
CREATE INDEX "CustodyContract_custodyEndsAt_idx" ON "CustodyContract"("custodyEndsAt");

-- CreateIndex
CREATE INDEX "CustodyLoan_loanId_idx" ON "CustodyLoan"("loanId");

-- CreateIndex
CREATE UNIQUE INDEX "CustodyLoan_contractId_loanId_key" ON "CustodyLoan"("contractId", "loanId");

-- CreateIndex
CREATE UNIQUE INDEX "PerformanceDepositPayment_providerRef_key" ON "PerformanceDepositPayment"("providerRef");

-- CreateIndex
CREATE INDEX "PerformanceDepositPayment_contractId_idx" ON "PerformanceDepositPayment"("contractId");

-- CreateIndex
CREATE INDEX "PerformanceDepositPayment_status_idx" ON "PerformanceDepositPayment"("status");

-- CreateIndex
CREATE INDEX "FullTimeApplication_userId_idx" ON "FullTimeApplication"("userId");

-- CreateIndex
CREATE INDEX "FullTimeApplication_status_idx" ON "FullTimeApplication"("status");

-- CreateIndex
CREATE INDEX "CollectionActivity_contractId_loanId_at_idx" ON "CollectionActivity"("contractId", "loanId", "at");

-- CreateIndex
CREATE INDEX "CollectionActivity_loanId_at_idx" ON "CollectionActivity"("loanId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "LimitationAlert_loanId_expiresOn_days_key" ON "LimitationAlert"("loanId", "expiresOn", "days");

-- CreateIndex
CREATE INDEX "RepaymentAgreement_contractId_idx" ON "RepaymentAgreement"("contractId");

-- CreateIndex
CREATE INDEX "RepaymentAgreement_loanId_idx" ON "RepaymentAgreement"("loanId");

-- CreateIndex
CREATE UNIQUE INDEX "AgreementInstalment_agreementId_position_key" ON "AgreementInstalment"("agreementId", "position");

-- CreateIndex
CREATE INDEX "AgreementPayment_agreementId_idx" ON "AgreementPayment"("agreementId");

-- CreateIndex
CREATE INDEX "WaiverRequest_status_idx" ON "WaiverRequest"("status");

-- CreateIndex
CREATE INDEX "WaiverRequest_contractId_idx" ON "WaiverRequest"("contractId");

-- CreateIndex
CREATE INDEX "LiabilityEvent_status_idx" ON "LiabilityEvent"("status");

-- CreateIndex
CREATE UNIQUE INDEX "LiabilityEvent_contractId_loanId_kind_occurredOn_key" ON "LiabilityEvent"("contractId", "loanId", "kind", "occurredOn");


-- Append-only and never-deleted tables (R10, audit): corrections are new rows.
CREATE TRIGGER "CollectionActivity_no_update" BEFORE UPDATE ON "CollectionActivity" BEGIN SELECT RAISE(ABORT, 'CollectionActivity is append-only'); END;
CREATE TRIGGER "CollectionActivity_no_delete" BEFORE DELETE ON "CollectionActivity" BEGIN SELECT RAISE(ABORT, 'CollectionActivity is append-only'); END;
CREATE TRIGGER "AgreementInstalment_no_update" BEFORE UPDATE ON "AgreementInstalment" BEGIN SELECT RAISE(ABORT, 'AgreementInstalment is append-only'); END;
CREATE TRIGGER "AgreementInstalment_no_delete" BEFORE DELETE ON "AgreementInstalment" BEGIN SELECT RAISE(ABORT, 'AgreementInstalment is append-only'); END;
CREATE TRIGGER "AgreementPayment_no_update" BEFORE UPDATE ON "AgreementPayment" BEGIN SELECT RAISE(ABORT, 'AgreementPayment is append-only'); END;
CREATE TRIGGER "AgreementPayment_no_delete" BEFORE DELETE ON "AgreementPayment" BEGIN SELECT RAISE(ABORT, 'AgreementPayment is append-only'); END;
CREATE TRIGGER "LimitationAlert_no_update" BEFORE UPDATE ON "LimitationAlert" BEGIN SELECT RAISE(ABORT, 'LimitationAlert is append-only'); END;
CREATE TRIGGER "LimitationAlert_no_delete" BEFORE DELETE ON "LimitationAlert" BEGIN SELECT RAISE(ABORT, 'LimitationAlert is append-only'); END;
CREATE TRIGGER "CustodyContract_no_delete" BEFORE DELETE ON "CustodyContract" BEGIN SELECT RAISE(ABORT, 'contracts are never deleted'); END;
CREATE TRIGGER "CustodyLoan_no_delete" BEFORE DELETE ON "CustodyLoan" BEGIN SELECT RAISE(ABORT, 'CustodyLoan is never deleted'); END;
CREATE TRIGGER "PerformanceDepositPayment_no_delete" BEFORE DELETE ON "PerformanceDepositPayment" BEGIN SELECT RAISE(ABORT, 'PerformanceDepositPayment is never deleted'); END;
CREATE TRIGGER "RepaymentAgreement_no_delete" BEFORE DELETE ON "RepaymentAgreement" BEGIN SELECT RAISE(ABORT, 'RepaymentAgreement is never deleted'); END;
CREATE TRIGGER "WaiverRequest_no_delete" BEFORE DELETE ON "WaiverRequest" BEGIN SELECT RAISE(ABORT, 'WaiverRequest is never deleted'); END;
CREATE TRIGGER "WaiverRequest_decided_once" BEFORE UPDATE ON "WaiverRequest" WHEN OLD."status" <> 'PENDING' BEGIN SELECT RAISE(ABORT, 'a decided waiver is final'); END;
CREATE TRIGGER "LiabilityEvent_no_delete" BEFORE DELETE ON "LiabilityEvent" BEGIN SELECT RAISE(ABORT, 'LiabilityEvent is never deleted'); END;
CREATE TRIGGER "LiabilityEvent_decided_once" BEFORE UPDATE ON "LiabilityEvent" WHEN OLD."status" <> 'DETECTED' BEGIN SELECT RAISE(ABORT, 'a decided liability event is final'); END;
CREATE TRIGGER "FullTimeApplication_no_delete" BEFORE DELETE ON "FullTimeApplication" BEGIN SELECT RAISE(ABORT, 'FullTimeApplication is never deleted'); END;
CREATE TRIGGER "FullTimeApplication_decided_once" BEFORE UPDATE ON "FullTimeApplication" WHEN OLD."status" <> 'PENDING' BEGIN SELECT RAISE(ABORT, 'a decided application is final'); END;
CREATE TRIGGER "ContractNumberSequence_only_grows" BEFORE UPDATE ON "ContractNumberSequence" WHEN NEW."last" <= OLD."last" OR NEW."year" <> OLD."year" BEGIN SELECT RAISE(ABORT, 'contract numbers are never reused'); END;
CREATE TRIGGER "ContractNumberSequence_no_delete" BEFORE DELETE ON "ContractNumberSequence" BEGIN SELECT RAISE(ABORT, 'contract numbers are never reused'); END;
CREATE TRIGGER "CustodyContract_signatures_fixed" BEFORE UPDATE ON "CustodyContract" WHEN (OLD."signedAt" IS NOT NULL AND (NEW."signedAt" IS NULL OR NEW."signedAt" <> OLD."signedAt" OR NEW."signedById" <> OLD."signedById")) OR (OLD."countersignedAt" IS NOT NULL AND (NEW."countersignedAt" IS NULL OR NEW."countersignedAt" <> OLD."countersignedAt" OR NEW."countersignedById" <> OLD."countersignedById")) OR NEW."terms" <> OLD."terms" BEGIN SELECT RAISE(ABORT, 'a signature and the signed terms are final'); END;
