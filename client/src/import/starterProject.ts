/**
 * The files of an empty workspace in the language chosen: a package.json
 * whose name is the workspace's, and one contract with a transaction that
 * writes and one that reads, so Run has something to start and the
 * Transactions panel something to show.
 */
import type { ImportFile } from '../../../protocol/workspaceImport.ts';

export type StarterLanguage = 'typescript' | 'javascript' | 'go';

const fabricDependencies = { 'fabric-contract-api': '^2.5.8', 'fabric-shim': '^2.5.8' };

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

const typescriptContract = `import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';

@Info({ title: 'MyContract', description: 'Start here' })
export class MyContract extends Contract {
  @Transaction()
  public async Put(ctx: Context, key: string, value: string): Promise<void> {
    await ctx.stub.putState(key, Buffer.from(value));
  }

  @Transaction(false)
  @Returns('string')
  public async Get(ctx: Context, key: string): Promise<string> {
    const data = await ctx.stub.getState(key);
    if (data.length === 0) throw new Error(\`Nothing is stored under \${key}\`);
    return data.toString();
  }
}
`;

const javascriptContract = `'use strict';

const { Contract } = require('fabric-contract-api');

class MyContract extends Contract {
  async Put(ctx, key, value) {
    await ctx.stub.putState(key, Buffer.from(value));
  }

  async Get(ctx, key) {
    const data = await ctx.stub.getState(key);
    if (data.length === 0) throw new Error(\`Nothing is stored under \${key}\`);
    return data.toString();
  }
}

module.exports = { MyContract };
`;

/** The versions the Go sample is pinned to; the Go build fetches them through the module proxy and completes go.sum. */
const goMod = (name: string): string => `module example.com/${name.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}

go 1.24

require github.com/hyperledger/fabric-contract-api-go/v2 v2.2.0
`;

const goMain = `package main

import (
	"log"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

func main() {
	chaincode, err := contractapi.NewChaincode(&MyContract{})
	if err != nil {
		log.Panicf("creating the chaincode: %v", err)
	}
	if err := chaincode.Start(); err != nil {
		log.Panicf("starting the chaincode: %v", err)
	}
}
`;

const goContract = `package main

import (
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// MyContract: start here.
type MyContract struct {
	contractapi.Contract
}

// Put stores value under key.
func (c *MyContract) Put(ctx contractapi.TransactionContextInterface, key string, value string) error {
	return ctx.GetStub().PutState(key, []byte(value))
}

// Get returns what is stored under key.
func (c *MyContract) Get(ctx contractapi.TransactionContextInterface, key string) (string, error) {
	data, err := ctx.GetStub().GetState(key)
	if err != nil {
		return "", err
	}
	if data == nil {
		return "", fmt.Errorf("nothing is stored under %s", key)
	}
	return string(data), nil
}
`;

/** The files of a new empty project named `name`. */
export function starterFiles(name: string, language: StarterLanguage): ImportFile[] {
  if (language === 'go') {
    return [
      { path: 'go.mod', text: goMod(name) },
      { path: 'main.go', text: goMain },
      { path: 'contract.go', text: goContract },
    ];
  }
  if (language === 'javascript') {
    return [
      { path: 'package.json', text: json({ name, version: '0.1.0', main: 'index.js', scripts: { start: 'fabric-chaincode-node start' }, dependencies: fabricDependencies }) },
      {
        path: 'index.js',
        text: "'use strict';\n\nconst { MyContract } = require('./lib/myContract');\n\n// fabric-chaincode-node starts every contract listed here.\nmodule.exports.contracts = [MyContract];\n",
      },
      { path: 'lib/myContract.js', text: javascriptContract },
    ];
  }
  return [
    {
      path: 'package.json',
      text: json({
        name,
        version: '0.1.0',
        main: 'dist/index.js',
        scripts: { build: 'tsc', start: 'fabric-chaincode-node start' },
        dependencies: fabricDependencies,
        devDependencies: { '@types/node': '^20.19.0', typescript: '~5.9.3' },
      }),
    },
    {
      path: 'tsconfig.json',
      text: json({
        compilerOptions: {
          target: 'ES2022',
          module: 'commonjs',
          moduleResolution: 'node',
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          strict: true,
          outDir: 'dist',
          rootDir: 'src',
          sourceMap: true,
          skipLibCheck: true,
        },
        include: ['src/**/*.ts'],
      }),
    },
    {
      path: 'src/index.ts',
      text: "import { MyContract } from './myContract';\n\n/** fabric-chaincode-node starts every contract listed here. */\nexport const contracts = [MyContract];\n",
    },
    { path: 'src/myContract.ts', text: typescriptContract },
  ];
}
