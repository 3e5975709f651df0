-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME,
    CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SettingVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "version" INTEGER NOT NULL,
    "effectiveFrom" DATETIME NOT NULL,
    "values" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "reason" TEXT NOT NULL,
    "proposedById" TEXT,
    "proposedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedById" TEXT,
    "decidedAt" DATETIME,
    "decisionNote" TEXT
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ApiToken_userId_idx" ON "ApiToken"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "SettingVersion_version_key" ON "SettingVersion"("version");

-- CreateIndex
CREATE INDEX "SettingVersion_status_effectiveFrom_idx" ON "SettingVersion"("status", "effectiveFrom");


-- Settings versions are never rewritten: only a pending version's decision may be recorded, once.
CREATE TRIGGER "SettingVersion_immutable" BEFORE UPDATE ON "SettingVersion"
WHEN OLD."status" <> 'PENDING' OR NEW."values" <> OLD."values" OR NEW."effectiveFrom" <> OLD."effectiveFrom" OR NEW."version" <> OLD."version"
BEGIN
    SELECT RAISE(ABORT, 'SettingVersion is immutable once decided');
END;
CREATE TRIGGER "SettingVersion_no_delete" BEFORE DELETE ON "SettingVersion"
BEGIN
    SELECT RAISE(ABORT, 'SettingVersion is never deleted');
END;
